"""One optimisation step of the guidance predictor: the cVAE warm-up step (CE + KL, the whole batch
through the encoder) and the full BicycleGAN step (discriminator, then generator + encoder). Each
returns the losses to log as floats, with 'loss' the generator's total."""
from __future__ import annotations

import argparse

import torch
import torch.nn.functional as F

from .predictor import NZ, CVAEGAN, axis_loss, kl_loss, lsgan


def encode(m: CVAEGAN, onehot: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Encoder posterior of the true guidance and a reparameterised sample: (mu, logvar, z)."""
    mu, logvar = m.E(onehot)
    return mu, logvar, mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)


def _losses(loss_g, loss_d, loss_gan, loss_ce, loss_kl, loss_axis) -> dict:
    return {'loss': float(loss_g), 'loss_d': float(loss_d), 'loss_gan': float(loss_gan), 'loss_ce': float(loss_ce),
            'loss_kl': float(loss_kl), 'loss_axis': float(loss_axis)}


def cvae_step(m: CVAEGAN, a: argparse.Namespace, opt_ge, blurry, labels, onehot, device) -> dict:
    """cVAE warm-up: every sample goes through the encoder, the loss is CE + KL (+ the axis term on
    the same images with random z when --lambda-axis)."""
    mu, logvar, z_enc = encode(m, onehot)
    loss_ce = F.cross_entropy(m.G(blurry, z_enc), labels)
    loss_kl = kl_loss(mu, logvar)
    loss_g = a.lambda_ce * loss_ce + a.lambda_kl * loss_kl
    loss_axis = torch.zeros(())
    if a.lambda_axis:
        loss_axis = axis_loss(m.G(blurry, torch.randn(blurry.shape[0], NZ, device=device)), labels)
        loss_g = loss_g + a.lambda_axis * loss_axis
    opt_ge.zero_grad(set_to_none=True)
    loss_g.backward()
    opt_ge.step()
    return _losses(loss_g, torch.zeros(()), torch.zeros(()), loss_ce, loss_kl, loss_axis)


def gan_step(m: CVAEGAN, a: argparse.Namespace, opt_ge, opt_d, blurry, labels, onehot, device) -> dict:
    """One BicycleGAN step: half the batch through the encoder (cVAE-GAN: CE + KL + GAN), the other half
    with random z (cLR-GAN: GAN); the discriminator first, then generator + encoder."""
    h = max(1, a.batch // 2)
    a1, l1, b1 = blurry[:h], labels[:h], onehot[:h]
    a2, b2 = (blurry[h:], onehot[h:]) if a.batch >= 2 else (blurry, onehot)
    mu, logvar, z_enc = encode(m, b1)
    fake_enc = m.G(a1, z_enc)
    fake_rand = m.G(a2, torch.randn(a2.shape[0], NZ, device=device))
    hard_enc = F.gumbel_softmax(fake_enc, tau=1.0, hard=True, dim=1)
    hard_rand = F.gumbel_softmax(fake_rand, tau=1.0, hard=True, dim=1)
    loss_d = (lsgan(m.D(b1), True) + lsgan(m.D(hard_enc.detach()), False)
              + lsgan(m.D(b2), True) + lsgan(m.D(hard_rand.detach()), False))
    opt_d.zero_grad(set_to_none=True)
    loss_d.backward()
    opt_d.step()
    for p_ in m.D.parameters():
        p_.requires_grad_(False)
    loss_gan = a.lambda_gan * lsgan(m.D(hard_enc), True) + a.lambda_gan2 * lsgan(m.D(hard_rand), True)
    loss_ce = F.cross_entropy(fake_enc, l1)
    loss_kl = kl_loss(mu, logvar)
    loss_g = loss_gan + a.lambda_ce * loss_ce + a.lambda_kl * loss_kl
    loss_axis = torch.zeros(())
    if a.lambda_axis:
        loss_axis = axis_loss(fake_rand, labels[h:] if a.batch >= 2 else labels)
        loss_g = loss_g + a.lambda_axis * loss_axis
    opt_ge.zero_grad(set_to_none=True)
    loss_g.backward()
    opt_ge.step()
    for p_ in m.D.parameters():
        p_.requires_grad_(True)
    return _losses(loss_g, loss_d, loss_gan, loss_ce, loss_kl, loss_axis)
