"""Shared paths for the test suite."""
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
