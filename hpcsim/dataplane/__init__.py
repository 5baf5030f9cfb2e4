"""The data plane's formats, shared by the clients and the inference worker and importing
neither: tensor and dataset encoding (:mod:`codec`), RESP framing (:mod:`wire`), the inference
request protocol (:mod:`protocol`), how models and scripts are stored (:mod:`objects`) and a
function's TorchScript source (:mod:`source`)."""
