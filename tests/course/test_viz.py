"""The shared plots draw exactly the numbers they are given."""

from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from scipy.stats import spearmanr  # noqa: E402

from sbert_lab.course import viz  # noqa: E402


def fake_history():
    return SimpleNamespace(
        losses=[1.2, 1.0, 0.9, 0.7, 0.8, 0.5], evals=[(3, 40.0), (6, 55.5)], steps=6
    )


def test_moving_average_matches_a_loop():
    values = [3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0]
    expected = [np.mean(values[max(0, i - 2) : i + 1]) for i in range(len(values))]
    np.testing.assert_allclose(viz.moving_average(values, 3), expected)
    np.testing.assert_allclose(viz.moving_average(values, 1), values)
    with pytest.raises(ValueError, match="window"):
        viz.moving_average(values, 0)


def test_plot_training_draws_losses_and_evals_with_the_start_point():
    history = fake_history()
    fig = viz.plot_training(history, eval_label="dev", start=10.0, paper=60.0, window=2)
    loss_ax, eval_ax = fig.axes
    raw, smooth = loss_ax.get_lines()
    np.testing.assert_allclose(raw.get_ydata(), history.losses)
    np.testing.assert_allclose(smooth.get_ydata(), viz.moving_average(history.losses, 2))
    curve, paper_line = eval_ax.get_lines()
    assert list(curve.get_xdata()) == [0, 3, 6]
    assert list(curve.get_ydata()) == [10.0, 40.0, 55.5]
    assert list(paper_line.get_ydata()) == [60.0, 60.0]
    plt.close(fig)


def test_paper_vs_yours_bar_heights_and_missing_paper_figure():
    fig = viz.plot_paper_vs_yours(["a", "b"], [66.04, None], [12.5, 30.0], ylabel="Spearman")
    heights = [patch.get_height() for patch in fig.axes[0].patches]
    assert heights[0] == 66.04 and np.isnan(heights[1])
    assert heights[2:] == [12.5, 30.0]
    plt.close(fig)
    with pytest.raises(ValueError, match="length"):
        viz.plot_paper_vs_yours(["a"], [1.0, 2.0], [1.0], ylabel="x")


def test_sts_scatter_titles_the_spearman_of_the_points():
    rng = np.random.default_rng(0)
    gold = rng.uniform(0, 5, 50)
    predicted = gold + rng.normal(0, 1, 50)
    fig, ax = plt.subplots()
    viz.plot_sts_scatter(ax, predicted, gold, title="after")
    assert f"{spearmanr(predicted, gold).statistic * 100:.2f}" in ax.get_title()
    np.testing.assert_allclose(ax.collections[0].get_offsets(), np.column_stack([gold, predicted]))
    plt.close(fig)


def test_live_curve_counts_steps_then_takes_the_history_s_own():
    curve = viz.LiveCurve("dev", start=5.0)
    tracked = curve.track(lambda encoder: encoder * 10, every=4, total_steps=10)
    assert [tracked(x) for x in (1, 2, 3)] == [10.0, 20.0, 30.0]
    assert curve.steps == [0, 4, 8, 10]  # the last call (end of training) is capped at total_steps
    curve.finish(SimpleNamespace(evals=[(4, 10.0), (8, 20.0), (9, 30.0)]))
    assert (curve.steps, curve.values) == ([0, 4, 8, 9], [5.0, 10.0, 20.0, 30.0])
    line = curve.figure.axes[0].get_lines()[0]
    assert list(line.get_xdata()) == [0, 4, 8, 9]


# -- projections (lesson 7) ------------------------------------------------------------------------
def test_pca_2d_matches_scikit_learn_up_to_sign():
    from sklearn.decomposition import PCA

    x = np.random.default_rng(0).normal(size=(40, 6)) * [5, 3, 1, 1, 1, 1]
    coords = viz.pca_2d(x)
    theirs = PCA(n_components=2).fit_transform(x)
    assert coords.shape == (40, 2)
    for axis in range(2):
        sign = np.sign(coords[:, axis] @ theirs[:, axis])
        np.testing.assert_allclose(coords[:, axis], sign * theirs[:, axis], atol=1e-4)


def test_projection_cache_hits_on_equal_contents_and_misses_on_changed_ones():
    viz.clear_projection_cache()
    x = np.random.default_rng(1).normal(size=(30, 5)).astype(np.float32)
    first = viz.pca_2d(x)
    again = viz.pca_2d(x.copy())  # a different object with the same contents
    assert again is first and viz.projection_cache_info() == {"hits": 1, "misses": 1, "size": 1}
    with pytest.raises(ValueError, match="read-only"):
        first[0, 0] = 1.0  # cached arrays are shared, so they are frozen
    x[0, 0] += 1.0
    assert viz.pca_2d(x) is not first and viz.projection_cache_info()["misses"] == 2
    viz.clear_projection_cache()
    assert viz.projection_cache_info() == {"hits": 0, "misses": 0, "size": 0}


def test_projections_reject_bad_input():
    with pytest.raises(ValueError, match="2-D"):
        viz.pca_2d(np.ones(5))
    with pytest.raises(ValueError, match="at least 3"):
        viz.umap_2d(np.ones((2, 4)))
    with pytest.raises(ValueError, match="NaN"):
        viz.pca_2d(np.array([[0.0, np.nan], [1.0, 2.0]]))


@pytest.mark.slow  # umap-learn compiles its numba code on the first fit in a process (~7 s)
def test_umap_2d_shape_neighbours_and_cache():
    rng = np.random.default_rng(2)
    centres = rng.normal(size=(2, 20)) * 4
    x = np.concatenate([c + rng.normal(size=(25, 20)) for c in centres]).astype(np.float32)
    viz.clear_projection_cache()
    coords = viz.umap_2d(x, n_neighbors=10)
    assert coords.shape == (50, 2) and np.isfinite(coords).all()
    nearest = np.argsort(((coords[:, None] - coords[None]) ** 2).sum(-1), axis=1)[:, 1]
    assert ((nearest < 25) == (np.arange(50) < 25)).mean() > 0.95  # the two blobs stay apart
    assert viz.umap_2d(x, n_neighbors=10) is coords and viz.projection_cache_info()["hits"] == 1
    viz.clear_projection_cache()
    np.testing.assert_allclose(
        viz.umap_2d(x, n_neighbors=10), coords
    )  # same seed, one thread: same layout


def test_plot_projection_and_heatmap_draw_the_given_points():
    coords = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 0.0], [3.0, 3.0]])
    fig, (left, right) = plt.subplots(1, 2)
    viz.plot_projection(left, coords, ["a", "b", "a", "other"], muted=["other"])
    muted, a, b = left.collections
    np.testing.assert_allclose(muted.get_offsets(), [[3.0, 3.0]])
    np.testing.assert_allclose(a.get_offsets(), [[0.0, 0.0], [2.0, 0.0]])
    assert [t.get_text() for t in left.get_legend().get_texts()] == ["other", "a", "b"]
    image = viz.plot_similarity_heatmap(
        right, np.array([[1.0, 0.0], [2.0, 0.0], [0.0, 1.0]]), ["x", "x", "y"]
    )
    np.testing.assert_allclose(image.get_array(), [[1, 1, 0], [1, 1, 0], [0, 0, 1]], atol=1e-12)
    assert image.get_clim() == (-1.0, 1.0)
    plt.close(fig)


def test_live_curve_renders_a_png():
    curve = viz.LiveCurve("dev", start=1.0, paper=2.0)
    curve.add(5, 1.5)
    assert curve.png().startswith(b"\x89PNG\r\n\x1a\n")


def test_plot_training_draws_no_moving_average_over_one_step():
    fig = viz.plot_training(fake_history(), window=1)
    (raw,) = fig.axes[0].get_lines()
    np.testing.assert_allclose(raw.get_ydata(), fake_history().losses)
    plt.close(fig)
