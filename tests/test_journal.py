"""Resume files are append-only journals: never truncated or rewritten, foreign files and journals of
other runs refused untouched (byte-identical before and after), a half-written last line ignored."""
import json
import os

import pytest

import statmech_nn as snn
from statmech_nn.errors import ResumeError
from statmech_nn.journal import FORMAT, read_journal
from statmech_nn.montecarlo import sweep

RUN = dict(N=20, samples=2, sweeps=4, alpha=0.1, T=0.5, seed=3, progress=False, executor=1)


def _table(mc):
    return {k: (v.mean, v.stderr) for k, v in mc.items()}


def _records(path):
    """The complete task records (a half-written line is no record)."""
    return [record for _, record in read_journal(path)[1]]


def test_journal_records_each_sample_and_a_rerun_changes_nothing(tmp_path, snapshot):
    path = tmp_path / "run.jsonl"
    first = snn.monte_carlo("hopfield", resume=path, **RUN)
    lines = path.read_text().splitlines()
    header = json.loads(lines[0])
    assert header["journal"] == FORMAT and header["config"]["sweeps"] == 4 and header["config"]["N"] == [20]
    assert len(lines) == 1 + 2 and len({r["key"] for r in _records(path)}) == 2
    before = snapshot(tmp_path)
    again = snn.monte_carlo("hopfield", resume=path, **RUN)      # everything recorded: nothing runs
    assert snapshot(tmp_path) == before
    assert _table(again) == _table(first) == _table(snn.monte_carlo("hopfield", **RUN))


@pytest.mark.parametrize("content, what", [
    (b"line one\nline two\nlast line", "an ordinary text file (its last line used to be deleted)"),
    (b"[]", "a JSON array"),
    (b'{"key": "x", "result": {}}\n', "records without a header"),
    (b"\xff\xfe\x00binary", "binary bytes"),
])
def test_a_file_that_is_not_a_journal_is_refused_untouched(tmp_path, snapshot, content, what):
    path = tmp_path / "notes.txt"
    path.write_bytes(content)
    before = snapshot(tmp_path)
    with pytest.raises(ResumeError) as err:
        snn.monte_carlo("hopfield", resume=str(path), **RUN)
    assert str(path) in str(err.value) and "not a statmech_nn resume journal" in str(err.value)
    assert "untouched" in str(err.value)
    assert isinstance(err.value, ValueError) and err.value.path == str(path)
    assert snapshot(tmp_path) == before, what


def test_a_journal_of_another_configuration_is_refused_naming_the_difference(tmp_path, snapshot):
    path = tmp_path / "run.jsonl"
    snn.monte_carlo("hopfield", resume=path, **RUN)
    before = snapshot(tmp_path)
    with pytest.raises(ResumeError, match=r"sweeps: the journal has 4, this call has 6"):
        snn.monte_carlo("hopfield", resume=path, **dict(RUN, sweeps=6))
    with pytest.raises(ResumeError, match=r'points: the journal has \[\{"T": 0.5.*this call has \[\{"T": 0.7'):
        snn.monte_carlo("hopfield", resume=path, **dict(RUN, T=0.7))
    with pytest.raises(ResumeError, match=r'model: the journal has "hopfield", this call has "curie-weiss"'):
        snn.monte_carlo("curie-weiss", resume=path, N=20, samples=2, sweeps=4, T=0.5, seed=3, progress=False)
    with pytest.raises(ResumeError, match=r"N: the journal has \[20\], this call has \[20, 40\]"):
        sweep("hopfield", [{"T": 0.5}], resume=path, **dict(RUN, N=[20, 40]))
    assert snapshot(tmp_path) == before


def test_a_bad_line_is_named_and_the_file_left_untouched(tmp_path, snapshot):
    path = tmp_path / "run.jsonl"
    snn.monte_carlo("hopfield", resume=path, **RUN)
    lines = path.read_text().splitlines(keepends=True)
    path.write_text(lines[0] + "not json\n" + "".join(lines[1:]))
    before = snapshot(tmp_path)
    with pytest.raises(ResumeError, match=r"run.jsonl' line 2 is not a record") as err:
        snn.monte_carlo("hopfield", resume=path, **RUN)
    assert err.value.line == 2
    assert snapshot(tmp_path) == before


def test_a_half_written_last_line_is_ignored_not_deleted(tmp_path):
    complete = tmp_path / "complete.jsonl"
    reference = snn.monte_carlo("hopfield", resume=complete, **RUN)
    data = complete.read_bytes()
    cut = data[:len(data) - 40]                     # a kill in the middle of writing the last record
    killed = tmp_path / "killed.jsonl"
    killed.write_bytes(cut)
    resumed = snn.monte_carlo("hopfield", resume=killed, **RUN)
    assert _table(resumed) == _table(reference)
    after = killed.read_bytes()
    assert after.startswith(cut)                      # nothing before was touched, the partial line kept
    tail = after[len(cut):].decode().splitlines()
    assert tail[0] == "" and json.loads(tail[1]) == {"partial_line": 3} and len(tail) == 3
    assert len(_records(killed)) == 2                 # the lost sample ran again, once
    frozen = killed.read_bytes()
    assert _table(snn.monte_carlo("hopfield", resume=killed, **RUN)) == _table(reference)
    assert killed.read_bytes() == frozen             # a marked journal reads as complete


def test_crosscheck_refuses_a_foreign_resume_file_before_solving(tmp_path, snapshot, monkeypatch):
    from statmech_nn.symbolic.free_energy import SaddlePoint

    def boom(*args, **kwargs):
        raise AssertionError("the theory was compiled before the resume file was checked")

    monkeypatch.setattr(SaddlePoint, "compile", boom)
    path = tmp_path / "notes.txt"
    path.write_text("my notes\n")
    before = snapshot(tmp_path)
    with pytest.raises(ResumeError, match="not a statmech_nn resume journal"):
        snn.crosscheck("hopfield", {"T": [0.3, 0.5]}, N=[20], samples=2, sweeps=4, alpha=0.1, resume=path,
                       progress=False)
    assert snapshot(tmp_path) == before


def test_a_new_journal_in_a_missing_folder_is_refused_before_running(tmp_path, snapshot):
    before = snapshot(tmp_path)
    with pytest.raises(snn.OutputPathError, match="does not exist"):
        snn.monte_carlo("hopfield", resume=tmp_path / "no" / "run.jsonl", **RUN)
    assert snapshot(tmp_path) == before and not os.path.exists(tmp_path / "no")
