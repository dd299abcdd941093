"""Gradio chat app and embeddable widget assets."""
