"""The README gallery: ``python -m render.gallery`` rebuilds the committed GIFs byte for byte and the README block
exactly; docs/ stays small."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from render import gallery
from render.animate import THUMB, gif_info

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "docs" / "gallery"


def block_of(text: str) -> str:
    assert text.count(gallery.START) == 1 and text.count(gallery.END) == 1
    start = text.index(gallery.START)
    return text[start:text.index(gallery.END) + len(gallery.END)]


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory) -> tuple[Path, Path, subprocess.CompletedProcess]:
    """The command, run into a temporary directory (holding a stale GIF and another file) and on a copy of the
    README whose block is out of date."""
    tmp = tmp_path_factory.mktemp("gallery")
    out = tmp / "gallery"
    out.mkdir()
    (out / "torch.Removed.gif").write_bytes(b"GIF89a stale")
    (out / "notes.txt").write_text("not a GIF: kept")
    readme = tmp / "README.md"
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    readme.write_text(text.replace(block_of(text), f"{gallery.START}\nold\n{gallery.END}"), encoding="utf-8")
    # a fixed hash seed other than this process's: set iteration order must not reach the bytes (seed 5 once did)
    env = {**os.environ, "PYTHONHASHSEED": "5"}
    proc = subprocess.run([sys.executable, "-m", "render.gallery", "--out-dir", str(out), "--readme", str(readme)],
                          cwd=ROOT, capture_output=True, text=True, timeout=600, env=env)
    assert proc.returncode == 0, proc.stderr
    return out, readme, proc


def test_rebuild_is_byte_identical(rebuilt):
    out, _, _ = rebuilt
    committed = sorted(p.name for p in COMMITTED.glob("*.gif"))
    assert committed == sorted(t.file for t in gallery.TILES), "run python -m render.gallery"
    assert sorted(p.name for p in out.glob("*.gif")) == committed          # the stale GIF is gone
    assert (out / "notes.txt").exists()                                    # other files are left alone
    for name in committed:
        assert (out / name).read_bytes() == (COMMITTED / name).read_bytes(), f"{name}: run python -m render.gallery"


def test_readme_block_is_what_the_command_writes(rebuilt):
    _, readme, proc = rebuilt
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert block_of(text) == gallery.readme_block(), "run python -m render.gallery"
    assert readme.read_text(encoding="utf-8") == text                      # the command rewrote the old block
    assert "README.md: gallery block rewritten" in proc.stdout
    # at the end of the first section, just before "## Run the app"
    after = text[text.index(gallery.END) + len(gallery.END):]
    assert after.lstrip("\n").startswith(gallery.ANCHOR + "\n")
    assert "\n## " not in text[:text.index(gallery.START)]


def test_sizes(rebuilt):
    _, _, proc = rebuilt
    assert "MB in total" in proc.stdout                                    # the command prints the total
    docs = ROOT / "docs"
    assert gallery.tree_bytes(docs) < gallery.MAX_DOCS_BYTES
    for path in COMMITTED.glob("*.gif"):
        assert path.stat().st_size < gallery.MAX_GIF_BYTES, path.name


def test_tiles():
    assert 16 <= len(gallery.TILES) <= 24
    assert len({t.file for t in gallery.TILES}) == len(gallery.TILES)
    for tile in gallery.TILES:
        info = gif_info((COMMITTED / tile.file).read_bytes())
        assert info["size"] == THUMB
        assert info["frames"] == gallery.FRAMES
        assert info["loop"] == 0


def test_block_layout():
    block = gallery.readme_block()
    assert block.startswith(gallery.START) and block.endswith(gallery.END)
    rows = block.count("<tr>")
    assert rows == -(-len(gallery.TILES) // gallery.COLUMNS)
    assert block.count("<td") == len(gallery.TILES)
    for tile in gallery.TILES:
        assert f'<img src="docs/gallery/{tile.file}" width="240"' in block
    assert "<b>CosineAnnealingLR</b> · torch" in block
    assert "T_max = 50, run to 150 steps" in block
    assert "<b>StepLR</b> · torch, oneflow" in block                      # one tile for the family


def test_with_block_inserts_then_replaces():
    text = "# Title\n\nintro\n\n## Run the app\n\nrun it\n"
    once = gallery.with_block(text, "<!-- gallery:start -->\nA\n<!-- gallery:end -->")
    assert once == "# Title\n\nintro\n\n<!-- gallery:start -->\nA\n<!-- gallery:end -->\n\n## Run the app\n\nrun it\n"
    twice = gallery.with_block(once, "<!-- gallery:start -->\nB\n<!-- gallery:end -->")
    assert twice == once.replace("\nA\n", "\nB\n")
    with pytest.raises(ValueError):
        gallery.with_block("# Title\n", "block")
