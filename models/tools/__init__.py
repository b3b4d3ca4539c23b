"""Developer tools for the afb models (toy data, parity tensors, benchmarks, self-tests)."""
