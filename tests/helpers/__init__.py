"""Shared test helpers: frames, run folders, playbook fixtures, a headless browser, paths."""
