"""Layers are data: every file in layers/ loads; a bad file stops start-up naming file and field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from gisapp import create_app
from gisapp.catalog import load_catalog, load_layer_file
from gisapp.errors import ConfigError
from tests.conftest import ROOT, make_settings

LAYERS = ROOT / "layers"


def test_every_layer_file_loads() -> None:
    catalog = load_catalog(LAYERS)
    assert {"areas-community", "areas-grid", "reports", "projects", "facilities"} <= set(catalog)
    for spec in catalog.values():
        assert spec.title.zh and spec.title.en


def _broken(tmp_path: Path, name: str, old: str, new: str) -> Path:
    folder = tmp_path / "layers"
    shutil.copytree(LAYERS, folder)
    path = folder / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("geometry: point", "geometry: polygon", r"reports\.yaml: geometry"),
        ("{name: status,", "{name: no_such_column,", r"reports\.yaml: fields\.1\.name"),
        (
            "{name: status,",
            "{name: contact,",
            r"reports\.yaml: fields\.1\.name: contact is private",
        ),
        ("radius: 7", "radius: 700", r"reports\.yaml: style\.radius"),
        ("source: {table: reports,", "source: {table: users,", r"reports\.yaml: source\.table"),
        ("order: 60", "order: 60\nsurprise: 1", r"reports\.yaml: surprise"),
    ],
)
def test_bad_layer_file_names_file_and_field(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    folder = _broken(tmp_path, "reports.yaml", old, new)
    with pytest.raises(ConfigError, match=message):
        load_catalog(folder)
    with pytest.raises(ConfigError, match=message):
        create_app(make_settings(layers_dir=folder))


def test_unreadable_yaml(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("id: [unclosed", encoding="utf-8")
    with pytest.raises(ConfigError, match="bad.yaml: cannot be read"):
        load_layer_file(path)


def test_id_must_match_file_name(tmp_path: Path) -> None:
    path = tmp_path / "other.yaml"
    path.write_text((LAYERS / "projects.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(ConfigError, match="other.yaml: id"):
        load_layer_file(path)


def test_adding_a_layer_is_adding_a_file(tmp_path: Path) -> None:
    folder = tmp_path / "layers"
    shutil.copytree(LAYERS, folder)
    (folder / "open-reports.yaml").write_text(
        "id: open-reports\n"
        "title: {zh: 待处理诉求, en: Open reports}\n"
        "source: {table: reports, filter: {status: submitted}}\n"
        "geometry: point\n",
        encoding="utf-8",
    )
    app = create_app(make_settings(layers_dir=folder))
    assert "open-reports" in app.extensions["gisapp.catalog"]


def test_layers_validate_command(runner) -> None:  # type: ignore[no-untyped-def]
    from gisapp.cli import layers_validate

    result = runner.invoke(layers_validate)
    assert result.exit_code == 0, result.output
    assert "reports" in result.output
