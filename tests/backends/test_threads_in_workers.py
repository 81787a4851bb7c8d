"""The default thread count never oversubscribes: inside GridSearchCV's workers each E-step
runs on one thread of its own process (issue 8)."""
import numpy as np
from sklearn.model_selection import GridSearchCV

import emkit
from emkit.backends.threads import affinity_count
from thread_recording import SEEN, ThreadRecordingGaussian, threads_seen


def _data():
    rng = np.random.default_rng(0)
    return np.vstack([rng.normal(0, 1, (300, 2)), rng.normal(5, 1, (300, 2))])


def _estimator(n_jobs=None):
    return emkit.Estimator(emkit.Mixture(ThreadRecordingGaussian(), 2), chunk_size=16,
                           max_iter=3, tol=0, n_jobs=n_jobs, random_state=0)


def test_threads_are_counted_when_asked_for():
    SEEN.clear()
    _estimator(n_jobs=2).fit(_data())
    assert threads_seen(None, None) >= 2  # every pass starts its own pool of two threads


def test_grid_search_workers_run_each_e_step_on_their_share_of_the_cpus():
    search = GridSearchCV(_estimator(), {"n_init": [1, 2]}, cv=2, n_jobs=2,
                          scoring=threads_seen, refit=False).fit(_data())
    used = search.cv_results_["mean_test_score"]
    assert np.all(used >= 1)
    assert np.all(used <= max(1, affinity_count() // 2))
