"""Which models an audit talks to: presets, the embedded local model, preflight checks."""
