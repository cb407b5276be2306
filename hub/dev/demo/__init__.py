"""The demo fleet: municipal feeds built from the shipped synthetic corpus, served on 127.0.0.1."""
