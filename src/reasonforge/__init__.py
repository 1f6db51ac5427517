"""reasonforge: a declarative build system for LLM-reasoning datasets and models."""

__version__ = "0.1.0"
