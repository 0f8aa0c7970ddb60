"""Unit tests import the connector package (installed editable) and their builders as `unit_tests.*`."""

import sys
from pathlib import Path

# The connector root, so `unit_tests.integration.*` resolves under pytest's importlib mode.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
