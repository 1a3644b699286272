"""sbert_lab.progress: the package's one progress bar."""

from tqdm.auto import tqdm

from sbert_lab.progress import progress_bar


def test_a_disabled_bar_is_the_iterable_itself():
    batches = [1, 2, 3]
    assert progress_bar(batches, enabled=False, desc="batches") is batches
    assert progress_bar(enabled=False, desc="steps", total=10) is None  # a loop that calls update


def test_an_enabled_bar_counts_what_it_wraps_and_redraws_at_most_once_a_second():
    bar = progress_bar(range(5), enabled=True, desc="encoding", unit="batch")
    assert isinstance(bar, tqdm)
    assert list(bar) == [0, 1, 2, 3, 4] and bar.n == 5
    assert bar.desc == "encoding" and bar.unit == "batch" and bar.mininterval == 1.0
    steps = progress_bar(enabled=True, desc="steps", unit="step", total=10, initial=4)
    steps.update(2)
    assert (steps.n, steps.total) == (6, 10)  # a resumed run starts where it stopped
    steps.close()
