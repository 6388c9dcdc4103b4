from pathlib import Path

import pytest
import yaml

from mediavault_assets.settings import (
    SettingsError,
    load_media_server_secrets,
    load_notify_url,
    load_secrets,
    load_settings,
    load_tmdb_secrets,
    read_settings_data,
    revealed,
    save_settings,
)
from tests.conftest import write_config


def test_valid_settings_resolve_relative_paths(tmp_path: Path) -> None:
    path = tmp_path / "conf" / "mediavault.yaml"
    path.parent.mkdir()
    path.write_text(
        yaml.safe_dump(
            {
                "staging_root": "stage",
                "library_roots": [
                    {
                        "key": "videos",
                        "path": "/mnt/nas/videos",
                        "media_type": "tv",
                        "nas_path": "/volume1/videos",
                    }
                ],
            }
        )
    )
    settings = load_settings(path)
    assert settings.staging_root == path.parent / "stage"
    assert settings.warehouse_path == path.parent / ".mediavault" / "warehouse.duckdb"
    assert settings.review_quality_difference == 20
    assert settings.auto_approve_quality_difference == 50
    assert settings.auto_approve_enabled is False
    root = settings.root("videos")
    assert root.display_path("TV/a.mkv") == "/volume1/videos/TV/a.mkv"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            {"library_roots": [{"key": "Bad Key", "path": "/x"}]},
            "library_roots.0.key: must be a slug",
        ),
        (
            {"library_roots": [{"key": "a", "path": "/x", "media_type": "music"}]},
            "library_roots.0.media_type",
        ),
        ({"library_roots": []}, "library_roots: List should have at least 1 item"),
        (
            {"fuzzy_match_threshold": 150},
            "fuzzy_match_threshold: Input should be less than or equal to 100",
        ),
        ({"retention_days": -1}, "retention_days"),
        ({"retention_days": 0}, "retention_days must be at least 1"),
        (
            {"library_roots": [{"key": "lib", "path": "/x"}, {"key": "movies", "path": "/x/m"}]},
            "movies (/x/m) lies inside lib (/x)",
        ),
        (
            {"library_roots": [{"key": "a", "path": "/x"}, {"key": "b", "path": "/x/"}]},
            "a and b are the same folder (/x)",
        ),
        (
            {"library_roots": [{"key": "a", "path": "/s/old"}], "staging_root": "/s"},
            "a (/s/old) lies inside staging_root",
        ),
        ({"staging_root": None}, "staging_root"),
        ({"unknown_key": 1}, "unknown_key: Extra inputs are not permitted"),
        ({"review_quality_difference": 60}, "auto_approve_quality_difference must not be below"),
        (
            {"library_roots": [{"key": "a", "path": "/x"}, {"key": "a", "path": "/y"}]},
            "duplicate key(s) a",
        ),
    ],
)
def test_invalid_settings_name_the_key_and_problem(
    tmp_path: Path, change: dict, expected: str
) -> None:
    path = write_config(tmp_path, {"videos": tmp_path / "v"})
    data = yaml.safe_load(path.read_text())
    data.update(change)
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(SettingsError) as error:
        load_settings(path)
    assert expected in str(error.value)
    assert str(path) in str(error.value)


def test_zero_retention_needs_an_explicit_flag(tmp_path: Path) -> None:
    path = write_config(tmp_path, {"videos": tmp_path / "v"})
    data = yaml.safe_load(path.read_text())
    data.update(retention_days=0, allow_purge_without_retention=True)
    path.write_text(yaml.safe_dump(data))
    assert load_settings(path).retention_days == 0


def test_a_root_reached_through_a_symlink_into_another_overlaps(tmp_path: Path) -> None:
    (tmp_path / "lib/movies").mkdir(parents=True)
    (tmp_path / "movies-link").symlink_to(tmp_path / "lib/movies")
    path = write_config(tmp_path, {"lib": tmp_path / "lib", "movies": tmp_path / "movies-link"})
    with pytest.raises(SettingsError, match="lies inside lib"):
        load_settings(path)


def test_missing_and_malformed_files(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="No settings file at"):
        load_settings(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("library_roots: [unclosed")
    with pytest.raises(SettingsError, match="not valid YAML"):
        load_settings(bad)
    bad.write_text("- just\n- a list\n")
    with pytest.raises(SettingsError, match="must hold a YAML mapping"):
        load_settings(bad)


def test_secrets_only_from_environment() -> None:
    secrets = load_secrets({"TMDB_API_KEY": "k", "OPENAI_API_KEY": "o"})
    assert secrets.has_tmdb and secrets.chat_provider == "openai"
    assert secrets.presence()["TMDB_API_KEY"] is True
    assert "k" not in str(secrets.presence())
    assert load_secrets({}).chat_provider is None
    assert load_secrets({}).tmdb_api_base_url == "https://api.themoviedb.org/3"
    with pytest.raises(SettingsError, match="AZURE_OPENAI_ENDPOINT"):
        load_secrets({"AZURE_OPENAI_KEY": "a"})
    azure = load_secrets(
        {
            "AZURE_OPENAI_KEY": "a",
            "AZURE_OPENAI_ENDPOINT": "http://127.0.0.1:1",
            "AZURE_OPENAI_API_VERSION": "2024-08-01-preview",
        }
    )
    assert azure.chat_provider == "azure"


def test_a_repr_of_the_secrets_never_shows_a_key() -> None:
    values = {
        "TMDB_API_KEY": "tmdb-key-123",
        "TMDB_READ_ACCESS_TOKEN": "tmdb-token-456",
        "OPENAI_API_KEY": "sk-openai-789",
        "AZURE_OPENAI_KEY": "azure-key-000",
        "AZURE_OPENAI_ENDPOINT": "http://127.0.0.1:1",
        "AZURE_OPENAI_API_VERSION": "2024-08-01-preview",
    }
    secrets = load_secrets(values)
    shown = " ".join([repr(secrets), str(secrets), str(secrets.model_dump()), f"{secrets!r}"])
    for name in ("TMDB_API_KEY", "TMDB_READ_ACCESS_TOKEN", "OPENAI_API_KEY", "AZURE_OPENAI_KEY"):
        assert values[name] not in shown, name
    assert revealed(secrets.openai_api_key) == "sk-openai-789" and revealed(None) is None


COMMENTED = """\
# MediaVault settings for the living-room NAS
staging_root: /mnt/nas/duplicates_before_purge  # seed 000's folder

# Both shares, as mounted here
library_roots:
  - key: videos
    path: /mnt/nas/videos   # the big one
    nas_path: /volume1/videos
fuzzy_match_threshold: 85
# a week is enough for us
retention_days: 7
# end of file
"""


def test_saving_keeps_comments_backs_up_and_replaces_atomically(tmp_path: Path) -> None:
    path = tmp_path / "mediavault.yaml"
    path.write_text(COMMENTED, encoding="utf-8")
    data = read_settings_data(path)
    data["fuzzy_match_threshold"] = 90.0
    data["library_roots"].append({"key": "docker", "path": "/mnt/nas/docker"})
    backup = save_settings(data, path)
    assert backup is not None and backup.read_text(encoding="utf-8") == COMMENTED
    assert backup.name.startswith("mediavault.yaml.") and backup.suffix == ".bak"
    text = path.read_text(encoding="utf-8")
    for kept in (
        "# MediaVault settings for the living-room NAS\n",
        "staging_root: /mnt/nas/duplicates_before_purge  # seed 000's folder\n",
        "# Both shares, as mounted here\n",
        "# a week is enough for us\nretention_days: 7\n",
        "# end of file\n",
    ):
        assert kept in text
    assert "fuzzy_match_threshold: 90.0" in text
    assert yaml.safe_load(text) == data
    settings = load_settings(path)
    assert settings.fuzzy_match_threshold == 90 and settings.root_keys == ["videos", "docker"]
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_an_invalid_change_is_refused_with_the_start_up_message(tmp_path: Path) -> None:
    path = tmp_path / "mediavault.yaml"
    path.write_text(COMMENTED, encoding="utf-8")
    data = read_settings_data(path)
    data["review_quality_difference"] = 80.0  # above auto-approve's 50
    bad = tmp_path / "bad.yaml"
    with pytest.raises(SettingsError) as refused:
        save_settings(data, path)
    bad.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(SettingsError) as at_start_up:
        load_settings(bad)
    assert str(refused.value) == str(at_start_up.value).replace(str(bad), str(path))
    assert path.read_text(encoding="utf-8") == COMMENTED
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.yaml", "mediavault.yaml"]


def test_a_half_configured_azure_key_stops_only_the_chat(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AZURE_OPENAI_KEY", "k")  # no endpoint, no API version
    monkeypatch.setenv("MEDIAVAULT_NOTIFY_URL", "http://127.0.0.1:9/hook")
    monkeypatch.setenv("TMDB_API_KEY", "t")
    monkeypatch.setenv("MEDIAVAULT_PLEX_URL", "http://127.0.0.1:32400")
    with pytest.raises(SettingsError, match="AZURE_OPENAI_ENDPOINT"):
        load_secrets()
    assert load_notify_url() == "http://127.0.0.1:9/hook"
    assert load_tmdb_secrets().tmdb_api_key is not None
    assert load_media_server_secrets().mediavault_plex_url == "http://127.0.0.1:32400"
