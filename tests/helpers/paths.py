"""Where the tests' files are: the repository, the fixtures, the sample data."""
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
SAMPLE_CSV = ROOT / "data" / "sample" / "twcs_sample.csv"
