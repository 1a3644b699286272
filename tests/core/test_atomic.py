"""sbert_lab.atomic: a folder or a file is written whole or not at all, and nothing temporary is
left beside it. (The model saves' refusals and error messages: the bad-input rows.)"""

import pytest

from sbert_lab.atomic import atomic_file, atomic_folder, staged_folder, write_text_atomically


def names(folder):
    return sorted(path.name for path in folder.iterdir())


def test_a_staged_folder_replaces_the_old_one_whole(tmp_path):
    target = tmp_path / "run"
    target.mkdir()
    (target / "old.txt").write_text("old")
    with staged_folder(target) as tmp:
        assert tmp.parent == tmp_path and tmp.name.startswith(".run.tmp-")
        (tmp / "new.txt").write_text("new")
        (tmp / "sub").mkdir()
        (tmp / "sub" / "deep.txt").write_text("deep")
        assert names(target) == ["old.txt"]  # nothing of the new one shows before the end
    assert names(target) == ["new.txt", "sub"]
    assert (target / "sub" / "deep.txt").read_text() == "deep"
    assert names(tmp_path) == ["run"]  # no temporary or set-aside folder is left


def test_a_failed_staged_folder_leaves_the_old_one_and_no_temporary_folder(tmp_path):
    target = tmp_path / "run"
    target.mkdir()
    (target / "old.txt").write_text("old")
    with pytest.raises(KeyboardInterrupt), staged_folder(target) as tmp:
        (tmp / "half.txt").write_text("half")
        raise KeyboardInterrupt
    assert names(target) == ["old.txt"]
    assert names(tmp_path) == ["run"]


def test_keep_existing_keeps_a_folder_another_process_finished_first(tmp_path):
    target = tmp_path / "model"
    with staged_folder(target, keep_existing=True) as tmp:
        (tmp / "config.json").write_text("mine")
        target.mkdir()  # another process renames its folder into place first
        (target / "config.json").write_text("theirs")
    assert (target / "config.json").read_text() == "theirs"
    assert names(tmp_path) == ["model"]
    with staged_folder(tmp_path / "fresh", keep_existing=True) as tmp:
        (tmp / "config.json").write_text("mine")
    assert (tmp_path / "fresh" / "config.json").read_text() == "mine"


def test_atomic_folder_replaces_an_earlier_model_only(tmp_path):
    target = tmp_path / "model"
    with atomic_folder(target) as tmp:
        (tmp / "config.json").write_text("{}")
    with atomic_folder(target) as tmp:  # an earlier model: replaced
        (tmp / "modules.json").write_text("[]")
    assert names(target) == ["modules.json"]
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "thesis.tex").write_text("years of work")
    with pytest.raises(FileExistsError, match="holds other files and no model"):
        with atomic_folder(notes):
            pass
    assert names(notes) == ["thesis.tex"]


def test_an_atomic_file_is_the_old_or_the_new_one(tmp_path):
    path = tmp_path / "latest"
    write_text_atomically(path, "step-1\n")
    with pytest.raises(RuntimeError), atomic_file(path) as tmp:
        tmp.write_text("step-2, cut short")
        raise RuntimeError("killed")
    assert path.read_text() == "step-1\n" and names(tmp_path) == ["latest"]
    write_text_atomically(path, "step-2\n")
    assert path.read_text() == "step-2\n" and names(tmp_path) == ["latest"]
