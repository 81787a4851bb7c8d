"""Checking that a written image (a plot, a screenshot) shows something."""
import numpy as np



def assert_not_blank(path, min_ink=0.01):
    """The PNG at ``path`` is an image with at least ``min_ink`` of its pixels not
    background (the colour of its corner pixel), in more than one colour."""
    import matplotlib.image

    with open(path, "rb") as handle:
        assert handle.read(8) == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    pixels = matplotlib.image.imread(path)[..., :3]
    background = pixels[0, 0]
    ink = np.any(np.abs(pixels - background) > 0.02, axis=-1)
    assert ink.mean() > min_ink, f"{path} is blank ({ink.mean():.4f} of the pixels inked)"
    assert len(np.unique(pixels.reshape(-1, 3)[ink.ravel()], axis=0)) > 3, \
        f"{path} has ink of at most three colours"
