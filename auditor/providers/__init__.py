"""Model providers registered with Inspect: `replay/<file>` (recorded transcripts) and, with the `local` extra, `local/<gguf>`."""
