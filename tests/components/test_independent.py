"""Independent: column specifications, routing of parameters and fixed paths, clear errors."""
import numpy as np
import pytest
from scipy import stats

import emkit
from emkit.components import Gaussian, Independent, Uniform
from emkit.engine.tree import Tree
from emkit.models import Mixture

RNG = np.random.default_rng(0)
X = RNG.normal(size=(50, 3))
PARAMS = Tree(c0=Tree(means=np.array([[0.0, 1.0]]), covariances=np.array([[1.0, 2.0]])),
              c1=Tree(means=np.array([[-1.0]]), covariances=np.array([0.5])))


def test_log_prob_is_the_sum_over_parts_on_their_own_columns():
    component = Independent([Gaussian("diag"), Gaussian("spherical")], columns=[[2, 0], 1])
    expected = (stats.norm(0.0, 1.0).logpdf(X[:, 2]) + stats.norm(1.0, np.sqrt(2.0)).logpdf(X[:, 0])
                + stats.norm(-1.0, np.sqrt(0.5)).logpdf(X[:, 1]))
    np.testing.assert_allclose(component.log_prob(PARAMS, X)[:, 0], expected, rtol=1e-12)


def test_widths_and_columns_describe_the_same_layout():
    by_widths = Independent({"a": Gaussian("diag"), "b": Gaussian()}, widths=[2, 1])
    by_columns = Independent({"a": Gaussian("diag"), "b": Gaussian()}, columns=[[0, 1], [2]])
    assert by_widths.columns == by_columns.columns == {"a": [0, 1], "b": [2]}
    assert Independent([Gaussian(), Gaussian()]).columns == {"c0": [0], "c1": [1]}


def test_sample_puts_each_part_in_its_columns():
    component = Independent([Gaussian("diag"), Uniform()], columns=[[2, 0], [1]])
    params = Tree(c0=Tree(means=np.array([[100.0, -100.0]]), covariances=np.array([[1.0, 1.0]])),
                  c1=Tree(low=np.array([[0.0]]), high=np.array([[1.0]])))
    draws = component.sample(params, np.zeros(200, dtype=int), np.random.default_rng(1))
    assert np.all(draws[:, 2] > 90) and np.all(draws[:, 0] < -90)
    assert np.all((draws[:, 1] >= 0) & (draws[:, 1] <= 1))


@pytest.mark.parametrize("kwargs, message", [
    ({"widths": [1, 1], "columns": [[0], [1]]}, "not both"),
    ({"widths": [1]}, "widths has 1 entries but there are 2 parts"),
    ({"widths": [1, 0]}, "width of part 'c1' must be a positive integer"),
    ({"columns": [[0, 1], [1]]}, "X column 1 is given to both part 'c0' and part 'c1'"),
    ({"columns": [[0], [2]]}, r"X columns \[1\] belong to none"),
    ({"columns": [[0], "b"]}, "columns for part 'c1' must be a non-negative column index"),
])
def test_bad_column_specifications_are_explained(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Independent([Gaussian(), Gaussian()], **kwargs)


def test_data_errors_name_the_x_column_and_the_family():
    component = Independent({"size": Gaussian("diag"), "depth": Gaussian()}, widths=[2, 1])
    bad = X.copy()
    bad[:, 2] = 4.0
    with pytest.raises(ValueError, match=r"part 'depth' \(Gaussian\) on X column 2: X column 2 "
                                         r"is constant"):
        component.validate_fit(bad)
    bad = X.copy()
    bad[:, 1] = 4.0
    with pytest.raises(ValueError, match=r"part 'size' \(Gaussian\) on X columns \[0, 1\]: X "
                                         r"column 1 is constant"):
        component.validate_fit(bad)
    with pytest.raises(ValueError, match="X has 2 columns but the parts cover 3"):
        component.validate_fit(X[:, :2])


@pytest.mark.filterwarnings("ignore::emkit.ConvergenceWarning")
def test_fixed_paths_reach_only_their_part():
    data = np.vstack([RNG.normal(0, 1, (80, 2)), RNG.normal(5, 1, (80, 2))])
    model = Mixture(Independent([Gaussian("diag"), Gaussian("diag")]), 2)
    start = model.init_params(emkit.Block(data), np.random.RandomState(0))
    moved = start.components.c1.replace(means=start.components.c1.means + 1.0)
    start = start.replace(components=start.components.replace(c1=moved))
    result = emkit.fit(model, data, init=start, fixed={"c1.means"}, max_iter=5, tol=0)
    np.testing.assert_array_equal(result.params.components.c1.means, moved.means)
    assert not np.allclose(result.params.components.c0.means, start.components.c0.means)
    both = emkit.fit(model, data, init=start, fixed={"means"}, max_iter=3, tol=0)
    np.testing.assert_array_equal(both.params.components.c0.means, start.components.c0.means)


def test_a_bad_cell_of_a_streamed_table_is_named_by_its_row_in_the_file(tmp_path):
    rng = np.random.default_rng(0)
    table = np.column_stack([rng.normal(size=9000), rng.poisson(3.0, size=9000)]).astype(float)
    table[6000, 1] = 2.5
    np.save(tmp_path / "table.npy", table)
    model = emkit.Mixture(emkit.Independent([emkit.Gaussian(), emkit.Poisson()]), 2)
    with pytest.raises(ValueError, match=r"Independent part 'c1' \(Poisson\) on X column 1: X "
                                         r"column 1 has value 2.5 at row 6000"):
        emkit.fit(model, emkit.sources.open_source(tmp_path / "table.npy", head_rows=50),
                  random_state=0, max_iter=1)
