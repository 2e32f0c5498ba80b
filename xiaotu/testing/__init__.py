"""Test helpers shared by the apps' tests: factories for a small school."""
