"""User-edited YAML (mapping, rubric-style files, batch file) saved as Windows-1252 reads like
an export does, never a UnicodeDecodeError traceback."""
from __future__ import annotations

import pytest

from audit.common.errors import AuditInputError
from audit.common.runfolder import read_yaml
from audit.reading.mapping import load_mapping
from audit.run import batch

CP1252 = "cp1252"


def test_read_yaml_reads_a_windows_1252_file(tmp_path):
    path = tmp_path / "owners.yaml"
    path.write_bytes("owner: Zoë – Café\n".encode(CP1252))
    assert read_yaml(path, "topic owners") == {"owner": "Zoë – Café"}


def test_read_yaml_refuses_a_binary_file_in_one_sentence(tmp_path):
    path = tmp_path / "rubric.yaml"
    path.write_bytes(b"PK\x03\x04" + bytes(100))
    with pytest.raises(AuditInputError, match="not a text export"):
        read_yaml(path, "rubric")


def test_a_windows_1252_mapping_reads(tmp_path):
    path = tmp_path / "mapping.yaml"
    path.write_bytes(
        "# Export de l'équipe – ne pas modifier\nname: crm\nmessage_id: id\nauthor: auteur\n"
        "created_at: date\ntext: texte\nbrand_handles: [Société]\n".encode(CP1252))
    mapping = load_mapping(path)
    assert mapping.brand_handles == ("société",)


def test_a_windows_1252_batch_file_reads(tmp_path):
    data = tmp_path / "export.csv"
    data.write_text("tweet_id\n1\n", encoding="utf-8")
    path = tmp_path / "clients.yaml"
    path.write_bytes(f"data: {data.name}\nclients:\n  - name: Café Crème\n    brands: [CafeHelp]\n"
                     .encode(CP1252))
    assert [c["client"] for c in batch.load(str(path))] == ["Café Crème"]
