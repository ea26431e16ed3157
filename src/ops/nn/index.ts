// Neural-network ops that live below nn/: softmax family.
export {};
