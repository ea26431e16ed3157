// Neural-network ops that live below nn/: the softmax family (nn.functional builds on these).
export { logSoftmax, softmax } from "./softmax.js";
