"""What tests share besides fixtures: factories, the simulated week, processes, log capture."""
