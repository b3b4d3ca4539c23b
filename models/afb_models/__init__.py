"""afb model code: the two-stage decomposition network, its dataset and the guidance predictor."""
