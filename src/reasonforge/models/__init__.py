"""Tokenizer, from-scratch tiny models, loading and generation backends."""
