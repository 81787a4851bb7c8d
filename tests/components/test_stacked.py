"""Stacked components: mixtures of different families, sized and named by the list given."""
import numpy as np
import pytest

import emkit
from emkit.components import Gaussian, Stacked, Uniform
from emkit.engine.tree import Tree
from emkit.models import Mixture

PARAMS = Tree(signal=Tree(means=np.array([[0.0, 0.0]]), covariances=np.array([[[1.0, 0.0],
                                                                                [0.0, 1.0]]])),
              background=Tree(low=np.array([[-5.0, -5.0]]), high=np.array([[5.0, 5.0]])))


def test_a_list_whose_length_disagrees_with_n_components_is_rejected():
    with pytest.raises(ValueError, match="a list of 2 components was given but n_components=3"):
        Mixture([Gaussian(), Uniform()], 3)


def test_a_dict_names_the_mixture_components():
    model = Mixture({"signal": Gaussian(), "background": Uniform()}, 2)
    X = np.random.default_rng(0).normal(size=(60, 2))
    params = model.init_params(emkit.Block(X), np.random.RandomState(0))
    assert list(params.components) == ["signal", "background"]
    assert params.components.signal.means.shape == (1, 2)


def test_log_prob_stacks_the_families_columns():
    X = np.array([[0.0, 0.0], [6.0, 0.0]])
    table = Stacked({"signal": Gaussian(), "background": Uniform()}).log_prob(PARAMS, X)
    np.testing.assert_allclose(table[:, 0], [-np.log(2 * np.pi), -18.0 - np.log(2 * np.pi)])
    np.testing.assert_allclose(table[:, 1], [-np.log(100.0), -np.inf])


def test_sample_draws_each_label_from_its_family():
    labels = np.array([1, 0, 1, 1, 0] * 40)
    draws = Stacked({"signal": Gaussian(), "background": Uniform()}).sample(
        PARAMS, labels, np.random.default_rng(0))
    assert draws.shape == (200, 2)
    assert np.abs(draws[labels == 1]).max() <= 5.0
    assert np.abs(draws[labels == 0].mean(axis=0)).max() < 0.3


def test_validation_errors_name_the_mixture_component_and_family():
    X = np.column_stack([np.arange(5.0), np.ones(5)])
    with pytest.raises(ValueError, match=r"mixture component 0 \('c0', Gaussian\): X column 1 "
                                         "is constant"):
        Mixture([Gaussian(), Uniform()], 2).validate_fit(emkit.Block(X))


def test_non_components_are_rejected():
    with pytest.raises(TypeError, match="part 'c1' must be an emkit Component"):
        Stacked([Gaussian(), "uniform"])
    with pytest.raises(ValueError, match="without dots"):
        Stacked({"a.b": Gaussian()})
