"""Docstring pieces many estimators share: the papers they implement.

``@cites("kim2021")`` replaces the line ``%(references)s`` of a docstring by a
numpydoc References section, so a reference is written once.
"""

PAPERS = {
    "kim2021": (
        'B. Kim, J.-H. Choi and J. Choo, "Augmenting imbalanced time-series data via '
        'adversarial perturbation in latent space", ACML 2021.'
    ),
    "yuksel2021": (
        'O. K. Yüksel, S. U. Stich, M. Jaggi and T. Chavdarova, "Semantic perturbations '
        'with normalizing flows for improved generalization", ICCV 2021.'
    ),
    "luo2020": (
        'C. Luo, H. Mobahi and S. Bengio, "Data augmentation via structured adversarial '
        'perturbations", arXiv:2011.03010, 2020.'
    ),
    "guo2019": (
        'T. Guo, C. Xu, B. Shi, C. Xu and D. Tao, "Learning from bad data via generation", '
        "NeurIPS 2019."
    ),
    "yu2022": (
        'H. Yu, H. Yang and A. Sano, "LEAVES: Learning views for time-series data in '
        'contrastive learning", arXiv:2210.07340, 2022.'
    ),
    "chen2020": (
        'T. Chen, S. Kornblith, M. Norouzi and G. Hinton, "A simple framework for '
        'contrastive learning of visual representations", ICML 2020.'
    ),
    "tamkin2021": (
        'A. Tamkin, M. Wu and N. Goodman, "Viewmaker networks: Learning views for '
        'unsupervised representation learning", ICLR 2021.'
    ),
    "heusel2017": (
        'M. Heusel et al., "GANs trained by a two time-scale update rule converge to a '
        'local Nash equilibrium", NeurIPS 2017.'
    ),
    "kingma2018": (
        'D. P. Kingma and P. Dhariwal, "Glow: Generative flow with invertible 1x1 '
        'convolutions", NeurIPS 2018.'
    ),
}


def cites(*keys):
    """Decorator: the object's ``%(references)s`` line becomes a References section."""

    def decorate(obj):
        lines = ["References", "----------"]
        lines += [f".. [{number}] {PAPERS[key]}" for number, key in enumerate(keys, 1)]
        obj.__doc__ = obj.__doc__.replace("%(references)s", "\n    ".join(lines))
        return obj

    return decorate
