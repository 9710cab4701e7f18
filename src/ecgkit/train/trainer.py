"""The training loop: fit, evaluate, predict; checkpoints, exact resume, DDP, AMP, seeding."""

from __future__ import annotations

import csv
import inspect
import io
import json
import math
import os
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import torch
import torch.distributed as dist
from numpy.typing import ArrayLike, NDArray
from torch import nn
from torch.utils.data import DataLoader, Dataset, TensorDataset

from ecgkit._files import atomic_write, run_lock
from ecgkit.metrics import ClassificationMetrics, Prediction
from ecgkit.signal._validation import check_count, check_real
from ecgkit.train.batchnorm import equal_batches, recording_statistics
from ecgkit.train.checkpoint import CheckpointError, load_checkpoint, save_checkpoint

__all__ = [
    "CPU_PREDICT_BATCH",
    "EpochCallback",
    "History",
    "NonFiniteLossError",
    "TrainConfig",
    "Trainer",
]

Item = tuple[torch.Tensor, ...]

#: A loss this many times that of a uniform guess (ln n_classes) has exploded.
_EXPLODED_FACTOR = 100.0
_MAX_SEED = 2**63 - 1
#: Items per forward pass of :meth:`Trainer.predict` on the CPU. Larger batches hold
#: activations (tens of MB a layer) that the C allocator may map afresh for every layer,
#: paying a page fault per 4 kB, depending on what the process allocated before: one
#: member of the shipped beat model took 3.3 s for 17,000 beats at 1024 and 1.8 s at 256
#: or 512, and the five members 54-99 s for the 24-hour record at 1024 against 58-61 s at
#: 256 (2026-11-27, 2 cores, with and without numba). The probabilities agree to float32
#: rounding (at most 6e-8 over DS2; no annotate label of DS2 or LUDB changes).
CPU_PREDICT_BATCH = 256


@dataclass(frozen=True)
class TrainConfig:
    """Everything that decides a training run.

    Attributes
    ----------
    epochs : int
        Passes over the training set.
    batch_size : int
        Beats per optimisation step over all processes (each of ``N`` DDP processes takes
        a 1/N share of every batch, so results do not depend on the process count).
    optimizer : {"adamw", "adam", "sgd"}
        Optimiser; ``momentum`` applies to SGD.
    lr, weight_decay, momentum : float
        Peak learning rate, decoupled (AdamW) or L2 weight decay, SGD momentum.
    scheduler : {"cosine", "onecycle"}, optional
        Learning-rate schedule, stepped every batch: cosine decay to 0, one-cycle
        (warm-up then decay), or (None) constant.
    class_weighting : {"balanced", "sqrt"}, optional
        Loss weight per class: ``n / (k * count)``, its square root (milder), or (None)
        none. The loss is the weighted mean over each batch. The string ``"none"`` (for
        both fields) still means None, with a ``DeprecationWarning``, for one release.
    sampler : {"shuffle", "balanced"}
        Each epoch visits every beat once in a random order, or draws ``n`` beats with
        replacement so every class is drawn equally often (use one of the two remedies for
        imbalance, not both).
    label_smoothing : float
        Cross-entropy label smoothing in [0, 1).
    early_stopping_patience : int, optional
        Stop when ``monitor`` has not improved for this many epochs (needs validation data).
    monitor : {"val_macro_f1", "val_loss", "val_accuracy"}
        Validation score that picks the best checkpoint and drives early stopping.
    gradient_clip_norm : float, optional
        Clip the gradient's global L2 norm to this value.
    seed : int
        Seeds weights' initialisation (when the Trainer builds nothing itself, seed before
        building the model), shuffling, sampling and dropout.
    device : str
        ``"auto"`` (CUDA when available, else CPU), ``"cpu"``, ``"cuda"``, ``"cuda:1"`` ...
    amp : bool
        Mixed precision on CUDA (bfloat16 where supported, else float16 with loss scaling);
        ignored on CPU.
    num_workers : int
        DataLoader worker processes; 0 loads batches in the main process (for in-memory
        datasets such as :class:`~ecgkit.data.ArrayDataset` ecgkit then gathers whole
        batches without a per-item loop).
    progress : bool, optional
        Progress bars; None shows them only on a terminal.
    """

    epochs: int = 20
    batch_size: int = 256
    optimizer: Literal["adamw", "adam", "sgd"] = "adamw"
    lr: float = 1e-3
    weight_decay: float = 1e-4
    momentum: float = 0.9
    scheduler: Literal["cosine", "onecycle"] | None = "cosine"
    class_weighting: Literal["balanced", "sqrt"] | None = "balanced"
    sampler: Literal["shuffle", "balanced"] = "shuffle"
    label_smoothing: float = 0.0
    early_stopping_patience: int | None = None
    monitor: Literal["val_macro_f1", "val_loss", "val_accuracy"] = "val_macro_f1"
    gradient_clip_norm: float | None = 1.0
    seed: int = 0
    device: str = "auto"
    amp: bool = True
    num_workers: int = 0
    progress: bool | None = None

    def __post_init__(self) -> None:
        for name in _OFF_IS_NONE:
            if getattr(self, name) == "none":
                warnings.warn(
                    f"TrainConfig({name}='none') is deprecated; pass {name}=None",
                    DeprecationWarning,
                    stacklevel=3,
                )
                object.__setattr__(self, name, None)
        for name in ("epochs", "batch_size"):
            if self._integer(name) < 1:
                raise ValueError(f"{name} must be a positive integer, got {getattr(self, name)!r}")
        choices = {
            "optimizer": ("adamw", "adam", "sgd"),
            "scheduler": ("cosine", "onecycle", None),
            "class_weighting": ("balanced", "sqrt", None),
            "sampler": ("shuffle", "balanced"),
            "monitor": ("val_macro_f1", "val_loss", "val_accuracy"),
        }
        for name, allowed in choices.items():
            if getattr(self, name) not in allowed:
                raise ValueError(f"{name} must be one of {allowed}, got {getattr(self, name)!r}")
        if not self._real("lr") > 0:
            raise ValueError(f"lr must be finite and > 0, got {self.lr!r}")
        if not self._real("weight_decay") >= 0:
            raise ValueError(f"weight_decay must be finite and >= 0, got {self.weight_decay!r}")
        if not 0 <= self._real("momentum") < 1:
            raise ValueError(f"momentum must be in [0, 1), got {self.momentum!r}")
        if not 0 <= self._real("label_smoothing") < 1:
            raise ValueError(f"label_smoothing must be in [0, 1), got {self.label_smoothing!r}")
        if self.gradient_clip_norm is not None and not self._real("gradient_clip_norm") > 0:
            raise ValueError(
                f"gradient_clip_norm must be finite and > 0, or None, got "
                f"{self.gradient_clip_norm!r}"
            )
        patience = self.early_stopping_patience
        if patience is not None and self._integer("early_stopping_patience") < 1:
            raise ValueError(f"early_stopping_patience must be >= 1 or None, got {patience!r}")
        if self._integer("num_workers") < 0:
            raise ValueError(f"num_workers must be an integer >= 0, got {self.num_workers!r}")
        # torch.manual_seed and numpy's generators take at most a signed 64-bit integer
        if not 0 <= self._integer("seed") <= _MAX_SEED:
            raise ValueError(f"seed must be an integer in [0, 2**63 - 1], got {self.seed!r}")
        if not isinstance(self.device, str):
            raise TypeError(
                "device must be a str: 'auto', 'cpu', 'cuda' or 'cuda:N', got "
                f"{type(self.device).__name__} {self.device!r}"
            )
        if self.device != "auto":
            try:
                torch.device(self.device)
            except RuntimeError:
                raise ValueError(
                    f"device must be 'auto', 'cpu', 'cuda' or 'cuda:N', got {self.device!r}"
                ) from None

    def _integer(self, name: str) -> int:
        """Field ``name`` checked to be an integer (not a bool), stored as a Python int."""
        value = check_count(getattr(self, name), name, minimum=None)
        object.__setattr__(self, name, value)
        return value

    def _real(self, name: str) -> float:
        """Field ``name`` checked to be a finite real number (not a bool), stored as float."""
        number = check_real(getattr(self, name), name)
        object.__setattr__(self, name, number)
        return number


@dataclass
class History:
    """Per-epoch records of a run.

    Each record has ``epoch``, ``train_loss``, ``lr``, ``seconds`` and, with validation
    data, ``val_loss``, ``val_accuracy``, ``val_macro_f1``. ``finished`` turns True when
    :meth:`Trainer.fit` ends normally (all epochs, or early stopping); a run killed or
    stopped by an error keeps False, and says so in ``history.json``. ``amendments`` lists
    the training-config changes a resumed run was allowed to make (``after_epoch`` and
    ``changes``, field -> ``[old, new]``).
    """

    records: list[dict[str, float]] = field(default_factory=list)
    best_epoch: int | None = None
    planned_epochs: int | None = None
    finished: bool = False
    amendments: list[dict[str, Any]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.records)

    def column(self, name: str) -> NDArray[np.float64]:
        """One metric over epochs."""
        return np.array([r.get(name, np.nan) for r in self.records], dtype=np.float64)

    def to_csv(self) -> str:
        """The records as CSV text."""
        names = list(dict.fromkeys(k for r in self.records for k in r))
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=names, lineterminator="\n")
        writer.writeheader()
        writer.writerows(self.records)
        return buffer.getvalue()

    def to_json(self) -> dict[str, Any]:
        """The records, the best epoch and whether training finished, JSON-ready.

        A dict, like every ``to_json`` in ecgkit (it returned JSON text before 0.1:
        ``json.dumps(history.to_json())`` gives that text).
        """
        return {
            "best_epoch": self.best_epoch,
            "planned_epochs": self.planned_epochs,
            "finished": self.finished,
            "amendments": self.amendments,
            "epochs": self.records,
        }


#: Called after every epoch with the trainer and the epoch's record; raising stops the run.
EpochCallback = Callable[["Trainer", dict[str, float]], None]


def _write_text_atomic(path: Path, text: str) -> None:
    with atomic_write(path) as handle:
        handle.write(text.encode())


def _labels_of(data: Dataset[Item]) -> NDArray[np.int64]:
    labels = getattr(data, "labels", None)
    if labels is not None:
        return np.asarray(labels, dtype=np.int64)
    tensors = getattr(data, "tensors", None)
    if tensors is not None:
        return np.asarray(tensors[-1], dtype=np.int64)
    return np.array([int(data[i][-1]) for i in range(len(data))], dtype=np.int64)  # type: ignore[arg-type]


def _unlabelled_dataset(
    first: ArrayLike | torch.Tensor, extra: Sequence[ArrayLike | torch.Tensor]
) -> TensorDataset:
    """Plain model inputs as a dataset of unlabelled items, float32, same length each."""
    tensors = [
        torch.as_tensor(np.asarray(x) if not isinstance(x, torch.Tensor) else x)
        for x in (first, *extra)
    ]
    for position, tensor in enumerate(tensors):
        if not tensor.is_floating_point():
            raise TypeError(f"model input {position} must be floating point, got {tensor.dtype}")
        if tensor.ndim == 0 or tensor.shape[0] != tensors[0].shape[0]:
            raise ValueError(
                f"model inputs must share their first (item) dimension, got shapes "
                f"{[tuple(t.shape) for t in tensors]}"
            )
        if not torch.isfinite(tensor).all():
            raise ValueError(f"model input {position} contains NaN or infinite values")
    if tensors[0].shape[0] == 0:
        raise ValueError("data is empty: nothing to predict")
    return TensorDataset(*(t.float() for t in tensors))


def _forward_arity(model: nn.Module) -> int | None:
    """Positional inputs ``model.forward`` takes, or None when it takes ``*args``."""
    module = model.module if isinstance(model, nn.parallel.DistributedDataParallel) else model
    parameters = inspect.signature(module.forward).parameters.values()
    if any(p.kind is p.VAR_POSITIONAL for p in parameters):
        return None
    return sum(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in parameters)


def _is_labelled(data: Dataset[Item], arity: int | None) -> bool:
    """Whether items end with a label: a ``labels`` attribute, or one element too many."""
    if getattr(data, "labels", None) is not None:
        return True
    if len(data) == 0:  # type: ignore[arg-type]
        raise ValueError("data is empty: nothing to predict")
    n_elements = len(data[0])
    if arity is None:
        raise TypeError(
            "cannot tell inputs from labels for a model whose forward takes *args: pass a "
            "dataset with a labels attribute, or plain arrays"
        )
    if n_elements not in (arity, arity + 1):
        raise ValueError(
            f"items have {n_elements} elements; the model takes {arity} input(s), so items "
            f"must be (inputs...) or (inputs..., label)"
        )
    return n_elements == arity + 1


class NonFiniteLossError(FloatingPointError):
    """Training produced a NaN or infinite loss or gradient.

    The step that produced it is not taken; the checkpoints are left as they were.
    """


class _LossWatch:
    """Stops training at the first non-finite loss and warns once when it explodes.

    A cross-entropy above ``_EXPLODED_FACTOR * ln(n_classes)`` (many times that of a
    uniform guess) means the weights have run away, typically from a learning rate far too
    high, even while the numbers are still finite.
    """

    def __init__(self, n_classes: int, lr: float) -> None:
        self.limit = _EXPLODED_FACTOR * math.log(max(n_classes, 2))
        self.lr = lr
        self.step = 0
        self.previous: float | None = None
        self.warned = False

    def check(self, loss: float, epoch: int) -> None:
        self.step += 1
        lr = self.lr
        if not math.isfinite(loss):
            before = "" if self.previous is None else f" (the step before: {self.previous:.4g})"
            raise NonFiniteLossError(
                f"training stopped at epoch {epoch}, step {self.step}: the loss is {loss}"
                f"{before}; the learning rate (lr={lr:g}) is the likely cause (try 10x lower). "
                "Checkpoints written so far are unchanged"
            )
        if loss > self.limit and not self.warned:
            warnings.warn(
                f"the training loss exploded to {loss:.4g} at epoch {epoch}, step "
                f"{self.step} (a uniform guess scores {self.limit / _EXPLODED_FACTOR:.3g}); "
                f"the learning rate (lr={lr:g}) is probably too high",
                RuntimeWarning,
                stacklevel=5,  # the caller of Trainer.fit
            )
            self.warned = True
        self.previous = loss

    def check_gradient(self, norm: float, epoch: int) -> None:
        """Stop before the optimiser step when the gradient (its norm) is NaN or infinite.

        Called after :meth:`check` for the same step.
        """
        if not math.isfinite(norm):
            raise NonFiniteLossError(
                f"training stopped at epoch {epoch}, step {self.step}: the gradient's norm is "
                f"{norm} (the loss was {self.previous:.4g}); the learning rate "
                f"(lr={self.lr:g}) is the likely cause (try 10x lower). Checkpoints written "
                "so far are unchanged"
            )


#: Fields whose "off" was the string "none" before it was None.
_OFF_IS_NONE = ("scheduler", "class_weighting")


def migrate_train_config(values: dict[str, Any]) -> dict[str, Any]:
    """A stored TrainConfig's values as this version spells them ("none" -> None)."""
    return {
        key: None if key in _OFF_IS_NONE and value == "none" else value
        for key, value in values.items()
    }


#: Config fields that do not change what a run computes: free to differ on resume.
_RUN_ONLY_FIELDS = frozenset({"device", "num_workers", "progress"})


#: Config fields a resumed run may not change even when told to: another optimiser cannot
#: take the saved optimiser state, and the random streams continue from the checkpoint
#: whatever the seed says.
_FIXED_ON_RESUME = frozenset({"optimizer", "seed"})


def _recipe_changes(saved: dict[str, Any], current: dict[str, Any]) -> dict[str, list[Any]]:
    """Training-config fields that differ between a checkpoint and now: ``[old, new]``."""
    saved, current = migrate_train_config(saved), migrate_train_config(current)
    return {
        key: [saved.get(key), current.get(key)]
        for key in sorted(set(saved) | set(current))
        if key not in _RUN_ONLY_FIELDS and saved.get(key) != current.get(key)
    }


def _describe(changes: dict[str, list[Any]]) -> str:
    """``"epochs: 2 -> 5, lr: 0.001 -> 0.0005"``, for errors and warnings."""
    return ", ".join(f"{k}: {old!r} -> {new!r}" for k, (old, new) in changes.items())


def _check_resumable(
    changes: dict[str, list[Any]], allow_changes: bool, epochs_done: int, source: Any
) -> None:
    """Refuse to resume with another training config, unless allowed and coherent.

    The optimiser state and learning-rate schedule in a checkpoint were built for its own
    config (a cosine schedule for its number of epochs): continuing with more epochs
    unchanged would make the learning rate climb again, and other changes mix two recipes
    in one run, so a change needs ``allow_changes`` (the schedule is then rebuilt).
    """
    if not changes:
        return
    details = _describe(changes)
    if not allow_changes:
        raise ValueError(
            f"cannot resume {source} with a different training config ({details}): its "
            "optimiser and learning-rate schedule were built for the original one; start a "
            "new run, or allow the change (Trainer.fit(allow_changes=True), ecgkit train "
            "--resume RUN --allow-changes)"
        )
    fixed = sorted(set(changes) & _FIXED_ON_RESUME)
    if fixed:
        raise ValueError(
            f"cannot resume {source} with another {' or '.join(fixed)} ({details}): the "
            "saved optimiser state and random streams belong to the original; start a new run"
        )
    if "epochs" in changes and changes["epochs"][1] <= epochs_done:
        raise ValueError(
            f"cannot resume {source} with epochs={changes['epochs'][1]}: it has trained "
            f"{epochs_done} epochs already"
        )


@dataclass
class _FitRun:
    """What one :meth:`Trainer.fit` call carries from epoch to epoch."""

    labels: NDArray[np.int64]
    class_weight_cpu: torch.Tensor
    class_weight: torch.Tensor
    optimizer: torch.optim.Optimizer
    scheduler: torch.optim.lr_scheduler.LRScheduler
    scaler: torch.amp.GradScaler
    net: nn.Module
    watch: _LossWatch
    start_epoch: int = 0
    best: float | None = None
    stale: int = 0


class Trainer:
    """Trains, evaluates and runs a classifier on datasets of ``(inputs..., label)`` items.

    Parameters
    ----------
    model : torch.nn.Module
        Called as ``model(*item[:-1])`` on batched items; returns logits ``[B, n_classes]``.
    config : TrainConfig, optional
        Defaults to ``TrainConfig()``.
    run_dir : str or pathlib.Path, optional
        Folder for ``checkpoints/{last,best}.pt`` and ``history.csv``/``history.json``, the
        only files the Trainer writes (a run folder's ``config.json`` and ``metrics.json``
        belong to :mod:`ecgkit.experiment.run_folder`); None writes nothing. Every
        checkpoint holds the training config.
    metadata : dict, optional
        Extra JSON-ready facts stored in every checkpoint (model name and options, data,
        split), so that a checkpoint says how it was made.
    callbacks : sequence of EpochCallback
        Called after every epoch.
    augment : callable, optional
        Applied to the first input (the windows) of every training batch, e.g.
        :class:`~ecgkit.train.BeatAugment`; never to validation or test data.
    decision : callable, optional
        The decision rule the run's results are reported with, applied to every
        :class:`~ecgkit.metrics.Prediction` before :meth:`evaluate` scores it, so that the
        best epoch is chosen by the rule that is reported (e.g.
        ``lambda p: p.adjusted(priors, 0.5)`` for prior-adjusted decisions). None scores
        the model's own probabilities.

    Notes
    -----
    Under ``torchrun`` (``WORLD_SIZE`` > 1) the Trainer joins the process group (gloo on CPU,
    NCCL on CUDA), wraps the model in DistributedDataParallel, gives each process its share
    of every global batch, and only rank 0 writes files. Every process evaluates the whole
    validation set and rank 0's scores are broadcast, so all stop at the same epoch.

    Examples
    --------
    >>> import torch
    >>> from ecgkit.data import ArrayDataset
    >>> from ecgkit.models import create_model
    >>> data = ArrayDataset(torch.randn(64, 1, 100).numpy(), [0, 1] * 32)
    >>> model = create_model("beat_cnn", num_classes=2)
    >>> trainer = Trainer(model, TrainConfig(epochs=1, progress=False))
    >>> history = trainer.fit(data)
    >>> trainer.evaluate(data).confusion.sum()
    64
    """

    def __init__(
        self,
        model: nn.Module,
        config: TrainConfig | None = None,
        *,
        run_dir: str | Path | None = None,
        metadata: dict[str, Any] | None = None,
        callbacks: Sequence[EpochCallback] = (),
        augment: Callable[[torch.Tensor], torch.Tensor] | None = None,
        decision: Callable[[Prediction], Prediction] | None = None,
    ) -> None:
        self.config = TrainConfig() if config is None else config
        self.decision = decision
        self.run_dir = Path(run_dir) if run_dir is not None else None
        self.metadata = dict(metadata or {})
        self.callbacks = list(callbacks)
        self.augment = augment
        self.world_size, self.rank = self._init_distributed()
        self.device = self._pick_device()
        self.model = model.to(self.device)
        self.history = History()
        self._generator = torch.Generator().manual_seed(self.config.seed)

    # setup -------------------------------------------------------------------------------
    def _init_distributed(self) -> tuple[int, int]:
        world = int(os.environ.get("WORLD_SIZE", "1"))
        if world > 1 and not dist.is_initialized():
            backend = (
                "nccl" if torch.cuda.is_available() and self.config.device != "cpu" else "gloo"
            )
            dist.init_process_group(backend=backend)
        if dist.is_initialized():
            return dist.get_world_size(), dist.get_rank()
        return 1, 0

    def _pick_device(self) -> torch.device:
        name = self.config.device
        if name == "auto":
            name = "cuda" if torch.cuda.is_available() else "cpu"
        if name == "cuda":
            name = f"cuda:{int(os.environ.get('LOCAL_RANK', '0'))}"
        device = torch.device(name)
        if device.type == "cuda":
            if not torch.cuda.is_available():
                raise ValueError(f"device {name!r} asked for but CUDA is not available")
            torch.cuda.set_device(device)
        return device

    @property
    def is_main(self) -> bool:
        """True on the process that writes files (rank 0)."""
        return self.rank == 0

    def _progress(self, iterable: Iterator[Any], total: int, desc: str) -> Any:
        """A tqdm bar over ``iterable``; close it before printing anything after it."""
        from tqdm.auto import tqdm

        # None lets tqdm show bars only on a terminal; other ranks never draw
        disable = None if self.config.progress is None else not self.config.progress
        if not self.is_main:
            disable = True
        return tqdm(iterable, total=total, desc=desc, leave=False, disable=disable)

    def _autocast(self) -> torch.autocast:
        dtype = torch.bfloat16
        if self.device.type == "cuda" and not torch.cuda.is_bf16_supported():
            dtype = torch.float16
        enabled = self.config.amp and self.device.type == "cuda"
        return torch.autocast(device_type=self.device.type, dtype=dtype, enabled=enabled)

    # batching ----------------------------------------------------------------------------
    def _global_batches(self, labels: NDArray[np.int64]) -> list[torch.Tensor]:
        n = labels.size
        if self.config.sampler == "balanced":
            counts = np.bincount(labels)
            weights = torch.from_numpy(1.0 / counts[labels])
            order = torch.multinomial(weights, n, replacement=True, generator=self._generator)
        else:
            order = torch.randperm(n, generator=self._generator)
        batches = torch.split(order, self.config.batch_size)
        return list(batches[: self._steps_per_epoch(n)])

    def _gather(self, data: Dataset[Item], index: torch.Tensor) -> Item:
        tensors = getattr(data, "tensors", None)
        if tensors is not None:
            return tuple(t[index] for t in tensors)
        loader = DataLoader(
            data,
            batch_size=len(index),
            sampler=index.tolist(),
            num_workers=0,
            generator=torch.Generator(),  # keeps the global RNG (dropout) untouched
        )
        return tuple(next(iter(loader)))

    def _batches(self, data: Dataset[Item], batches: list[torch.Tensor]) -> Iterator[Item]:
        if self.config.num_workers == 0:
            return (self._gather(data, b) for b in batches)
        loader = DataLoader(
            data,
            batch_sampler=[b.tolist() for b in batches],
            num_workers=self.config.num_workers,
            pin_memory=self.device.type == "cuda",
            persistent_workers=False,
            # a DataLoader draws its workers' base seed from this generator, not from the
            # global RNG, so dropout sees the same stream whichever path loads the batches
            generator=torch.Generator().manual_seed(self.config.seed),
        )
        return (tuple(batch) for batch in loader)

    def _to_device(self, batch: Item) -> Item:
        return tuple(t.to(self.device, non_blocking=True) for t in batch)

    # optimisation ------------------------------------------------------------------------
    def _class_weights(self, labels: NDArray[np.int64], n_classes: int) -> torch.Tensor:
        counts = np.bincount(labels, minlength=n_classes).astype(np.float64)
        weights = np.ones(n_classes)
        if self.config.class_weighting is not None and self.config.sampler != "balanced":
            present = counts > 0
            weights[present] = labels.size / (present.sum() * counts[present])
            if self.config.class_weighting == "sqrt":
                weights = np.sqrt(weights)
        return torch.tensor(weights, dtype=torch.float32)

    def _optimizer(self) -> torch.optim.Optimizer:
        c = self.config
        params = self.model.parameters()
        if c.optimizer == "sgd":
            return torch.optim.SGD(
                params, lr=c.lr, momentum=c.momentum, weight_decay=c.weight_decay
            )
        if c.optimizer == "adam":
            return torch.optim.Adam(params, lr=c.lr, weight_decay=c.weight_decay)
        return torch.optim.AdamW(params, lr=c.lr, weight_decay=c.weight_decay)

    def _scheduler(
        self, optimizer: torch.optim.Optimizer, total_steps: int
    ) -> torch.optim.lr_scheduler.LRScheduler:
        if self.config.scheduler == "cosine":
            return torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=max(total_steps, 1))
        if self.config.scheduler == "onecycle":
            return torch.optim.lr_scheduler.OneCycleLR(
                optimizer, max_lr=self.config.lr, total_steps=max(total_steps, 1)
            )
        return torch.optim.lr_scheduler.LambdaLR(optimizer, lambda _: 1.0)

    def _improved(self, value: float, best: float | None) -> bool:
        if best is None:
            return True
        return value < best if self.config.monitor == "val_loss" else value > best

    # public API --------------------------------------------------------------------------
    def fit(
        self,
        train: Dataset[Item],
        val: Dataset[Item] | None = None,
        *,
        resume_from: str | Path | None = None,
        allow_changes: bool = False,
    ) -> History:
        """Train for ``config.epochs`` epochs (or until early stopping).

        Parameters
        ----------
        train : torch Dataset
            Map-style dataset of ``(inputs..., label)`` items.
        val : torch Dataset, optional
            Validation data: picks the best checkpoint and drives early stopping.
        resume_from : str or pathlib.Path, optional
            A checkpoint of this run (``checkpoints/last.pt``): training continues after its
            epoch, and with the same seed, data and config ends with the same weights, to the
            bit on CPU, as a run that never stopped.
        allow_changes : bool
            Resume with a training config that differs from the checkpoint's (more epochs, a
            lower learning rate ...; not another optimiser or seed): the optimiser keeps its
            state with the new hyperparameters, the learning-rate schedule is rebuilt for the
            new config and continued from the epoch reached, the change is warned about
            (``UserWarning``) and recorded in ``History.amendments``. Without it a changed
            config is refused (``ValueError`` naming the fields).

        Returns
        -------
        History

        Raises
        ------
        ecgkit._files.RunFolderLockedError
            When another live process is writing to ``run_dir``.
        NonFiniteLossError
            At the first NaN or infinite loss or gradient, before its step is taken.
        """
        if self.run_dir is None or not self.is_main:
            return self._fit(train, val, resume_from, allow_changes)
        with run_lock(self.run_dir):
            return self._fit(train, val, resume_from, allow_changes)

    def _fit(
        self,
        train: Dataset[Item],
        val: Dataset[Item] | None,
        resume_from: str | Path | None,
        allow_changes: bool = False,
    ) -> History:
        labels = self._check_fit_data(train, val)
        run = self._start(labels, resume_from, allow_changes)
        for epoch in range(run.start_epoch + 1, self.config.epochs + 1):
            started = time.perf_counter()
            record = self._train_epoch(train, run, epoch)
            improved = True
            if val is not None:
                record.update(self._validate(val))
                improved = self._track_best(record[self.config.monitor], run)
            record["seconds"] = time.perf_counter() - started
            self.history.records.append(record)
            if improved:
                self.history.best_epoch = epoch
            self._save_epoch(epoch, run, improved)
            for callback in self.callbacks:
                callback(self, record)
            if self._should_stop(run):
                break
        self._finish()
        return self.history

    # the steps of fit --------------------------------------------------------------------
    def _check_fit_data(self, train: Dataset[Item], val: Dataset[Item] | None) -> NDArray[np.int64]:
        """The training labels, after checking they fit the model and the config."""
        labels = _labels_of(train)
        if labels.size == 0:
            raise ValueError("train is empty")
        n_classes = self._n_classes(labels)
        if labels.min() < 0 or labels.max() >= n_classes:
            raise ValueError(
                f"train labels must be in [0, {n_classes}), got {labels.min()}..{labels.max()}"
            )
        if self.config.early_stopping_patience is not None and val is None:
            raise ValueError("early_stopping_patience needs validation data (val)")
        return labels

    def _n_classes(self, labels: NDArray[np.int64]) -> int:
        return int(getattr(self.model, "num_classes", labels.max() + 1))

    def _start(
        self, labels: NDArray[np.int64], resume_from: str | Path | None, allow_changes: bool
    ) -> _FitRun:
        """Loss weights, optimiser, schedule and scaler, fresh or from a checkpoint."""
        c = self.config
        n_classes = self._n_classes(labels)
        class_weight_cpu = self._class_weights(labels, n_classes)
        optimizer = self._optimizer()
        scheduler = self._scheduler(optimizer, c.epochs * self._steps_per_epoch(labels.size))
        scaler = torch.amp.GradScaler(
            "cuda",
            enabled=self.device.type == "cuda" and c.amp and not torch.cuda.is_bf16_supported(),
        )
        run = _FitRun(
            labels=labels,
            class_weight_cpu=class_weight_cpu,
            class_weight=class_weight_cpu.to(self.device),
            optimizer=optimizer,
            scheduler=scheduler,
            scaler=scaler,
            net=self.model,
            watch=_LossWatch(n_classes, c.lr),
        )
        if resume_from is not None:
            self._resume(run, resume_from, allow_changes)
        else:
            torch.manual_seed(c.seed)
        self.history.planned_epochs, self.history.finished = c.epochs, False
        if self.world_size > 1:
            device_ids = [self.device.index] if self.device.type == "cuda" else None
            run.net = nn.parallel.DistributedDataParallel(self.model, device_ids=device_ids)
        return run

    def _resume(self, run: _FitRun, checkpoint: str | Path, allow_changes: bool) -> None:
        """Weights, optimiser, schedule, random streams and history of ``checkpoint``."""
        state = load_checkpoint(checkpoint, map_location=self.device)
        epochs_done = int(state["epoch"])
        changes = _recipe_changes(state.get("config", {}), asdict(self.config))
        _check_resumable(changes, allow_changes, epochs_done, checkpoint)
        self.model.load_state_dict(state["model"])
        # the new config's hyperparameters (learning rate, weight decay ...), as built
        fresh = [{k: v for k, v in g.items() if k != "params"} for g in run.optimizer.param_groups]
        run.optimizer.load_state_dict(state["optimizer"])
        if changes:
            for group, hyperparameters in zip(run.optimizer.param_groups, fresh, strict=True):
                group.update(hyperparameters)
            self._continue_schedule(run, epochs_done)
        else:
            run.scheduler.load_state_dict(state["scheduler"])
        self._generator.set_state(state["generator"])
        torch.set_rng_state(state["torch_rng"])
        if self.device.type == "cuda" and state.get("cuda_rng") is not None:
            torch.cuda.set_rng_state(state["cuda_rng"], self.device)
        run.start_epoch = epochs_done
        run.best = state["best"]
        run.stale = int(state["stale"])
        amendments = list(state.get("amendments", []))
        self.history = History(list(state["history"]), state["best_epoch"], amendments=amendments)
        if changes:
            self.history.amendments.append({"after_epoch": epochs_done, "changes": changes})
            warnings.warn(
                f"resuming {checkpoint} after epoch {epochs_done} with a changed training "
                f"config ({_describe(changes)}); the learning-rate schedule is rebuilt for "
                "it, and the run's history records the change",
                UserWarning,
                stacklevel=5,  # the caller of Trainer.fit
            )

    def _continue_schedule(self, run: _FitRun, epochs_done: int) -> None:
        """A schedule built for the current config, advanced to the end of ``epochs_done``."""
        steps_per_epoch = self._steps_per_epoch(run.labels.size)
        run.scheduler = self._scheduler(run.optimizer, self.config.epochs * steps_per_epoch)
        with warnings.catch_warnings():
            # stepping a schedule ahead of its optimiser is the point here
            warnings.simplefilter("ignore", UserWarning)
            for _ in range(epochs_done * steps_per_epoch):
                run.scheduler.step()

    def _train_epoch(self, train: Dataset[Item], run: _FitRun, epoch: int) -> dict[str, float]:
        """One pass over the training data; the epoch's record (loss, learning rate)."""
        c = self.config
        criterion = nn.CrossEntropyLoss(
            weight=None, reduction="none", label_smoothing=c.label_smoothing
        )
        run.net.train()
        total_loss, total_weight = 0.0, 0.0
        batches = self._global_batches(run.labels)
        shards = [b[self.rank :: self.world_size] for b in batches]
        steps = self._progress(
            self._batches(train, shards), len(shards), f"epoch {epoch}/{c.epochs}"
        )
        for global_index, batch in zip(batches, steps, strict=False):
            *inputs, target = self._to_device(batch)
            if self.augment is not None:
                inputs[0] = self.augment(inputs[0])
            batch_weight = float(
                run.class_weight_cpu[torch.from_numpy(run.labels[global_index.numpy()])].sum()
            )
            with self._autocast():
                logits = run.net(*inputs)
            per_item = criterion(logits.float(), target) * run.class_weight[target]
            # the sum over this process's share, scaled so that DDP's gradient average
            # equals the weighted mean over the whole global batch
            loss = per_item.sum() * (self.world_size / batch_weight)
            run.watch.check(float(loss.detach()) / self.world_size, epoch)
            run.optimizer.zero_grad(set_to_none=True)
            run.scaler.scale(loss).backward()
            norm: torch.Tensor | None = None
            if c.gradient_clip_norm is not None:
                run.scaler.unscale_(run.optimizer)
                norm = nn.utils.clip_grad_norm_(self.model.parameters(), c.gradient_clip_norm)
            if not run.scaler.is_enabled():
                # (float16 loss scaling skips steps with inf gradients by design)
                if norm is None:
                    grads = [p.grad for p in self.model.parameters() if p.grad is not None]
                    norm = nn.utils.get_total_norm(grads)
                run.watch.check_gradient(float(norm), epoch)
            run.scaler.step(run.optimizer)
            run.scaler.update()
            run.scheduler.step()
            total_loss += float(per_item.detach().sum())
            total_weight += batch_weight / self.world_size
        steps.close()  # zip stops first: clear the bar before the epoch's line is printed
        record: dict[str, float] = {
            "epoch": float(epoch),
            "train_loss": total_loss / max(total_weight, 1e-12),
            "lr": float(run.optimizer.param_groups[0]["lr"]),
        }
        if self.world_size > 1:
            reduced = torch.tensor(
                [total_loss, total_weight], dtype=torch.float64, device=self.device
            )
            dist.all_reduce(reduced)
            record["train_loss"] = float(reduced[0] / reduced[1])
        return record

    def _validate(self, val: Dataset[Item]) -> dict[str, float]:
        """Validation loss, accuracy and macro F1, the same on every process."""
        metrics = self.evaluate(val)
        scores = torch.tensor(
            [metrics.loss or 0.0, metrics.accuracy, metrics.macro_f1],
            dtype=torch.float64,
            device=self.device,  # NCCL communicates CUDA tensors only
        )
        if self.world_size > 1:
            # batch-norm statistics drift slightly between processes: rank 0's scores
            # decide for all, so every process stops at the same epoch
            dist.broadcast(scores, src=0)
        return {
            "val_loss": float(scores[0]),
            "val_accuracy": float(scores[1]),
            "val_macro_f1": float(scores[2]),
        }

    def _track_best(self, value: float, run: _FitRun) -> bool:
        """Checkpoint policy: whether ``value`` of the monitored score is a new best."""
        improved = self._improved(value, run.best)
        if improved:
            run.best, run.stale = value, 0
        else:
            run.stale += 1
        return improved

    def _should_stop(self, run: _FitRun) -> bool:
        """Early stopping: ``early_stopping_patience`` epochs without a new best."""
        patience = self.config.early_stopping_patience
        return patience is not None and run.stale >= patience

    def _finish(self) -> None:
        """Mark the history finished; under DDP, wait until rank 0 has written it."""
        self.history.finished = True
        if self.run_dir is not None and self.is_main:
            self._write_history(self.run_dir)
        if self.world_size > 1:
            # every process returns only once rank 0 has written its last checkpoint and
            # history: a process that read them (or tore the process group down) earlier
            # would see a half-finished run folder or abort its peer mid-collective
            dist.barrier()

    def _steps_per_epoch(self, n: int) -> int:
        """Global batches per epoch: the one rule :meth:`_global_batches` cuts by."""
        count = -(-n // self.config.batch_size)
        last = n - (count - 1) * self.config.batch_size
        # a last batch of under two samples per process breaks batch norm and carries no
        # useful signal: it is dropped, unless it is the only batch
        if count > 1 and last < 2 * self.world_size:
            count -= 1
        return count

    def _save_epoch(self, epoch: int, run: _FitRun, improved: bool) -> None:
        if self.run_dir is None or not self.is_main:
            return
        state = {
            "epoch": epoch,
            "model": self.model.state_dict(),
            "optimizer": run.optimizer.state_dict(),
            "scheduler": run.scheduler.state_dict(),
            "generator": self._generator.get_state(),
            "torch_rng": torch.get_rng_state(),
            "cuda_rng": torch.cuda.get_rng_state(self.device)
            if self.device.type == "cuda"
            else None,
            "best": run.best,
            "stale": run.stale,
            "best_epoch": self.history.best_epoch,
            "history": self.history.records,
            "amendments": self.history.amendments,
            "config": asdict(self.config),
            "metadata": self.metadata,
        }
        folder = self.run_dir / "checkpoints"
        save_checkpoint(folder / "last.pt", state)
        if improved:
            save_checkpoint(folder / "best.pt", state)
        self._write_history(self.run_dir)

    def _write_history(self, run_dir: Path) -> None:
        _write_text_atomic(run_dir / "history.csv", self.history.to_csv())
        _write_text_atomic(run_dir / "history.json", json.dumps(self.history.to_json(), indent=2))

    def load_weights(self, checkpoint: str | Path) -> None:
        """Load the model weights of a checkpoint (e.g. ``checkpoints/best.pt``)."""
        state = load_checkpoint(checkpoint, map_location=self.device)
        try:
            self.model.load_state_dict(state["model"])
        except (RuntimeError, KeyError) as error:
            raise CheckpointError(
                f"checkpoint {checkpoint} holds the weights of another architecture than "
                f"{type(self.model).__name__}: {' '.join(str(error).split())[:300]}"
            ) from error

    @property
    def predict_batch_size(self) -> int:
        """:meth:`predict`'s default items per forward pass.

        :data:`CPU_PREDICT_BATCH` on the CPU, the larger of the training batch and 512 on
        an accelerator.
        """
        if self.device.type == "cpu":
            return CPU_PREDICT_BATCH
        return max(self.config.batch_size, 512)

    @torch.no_grad()
    def predict(
        self,
        data: Dataset[Item] | ArrayLike | torch.Tensor,
        *extra_inputs: ArrayLike | torch.Tensor,
        batch_size: int | None = None,
        adapt_batchnorm: bool = False,
        groups: ArrayLike | None = None,
    ) -> Prediction:
        """Class probabilities of every item, in input order (model in eval mode).

        Parameters
        ----------
        data : torch Dataset, numpy.ndarray or torch.Tensor
            A dataset of ``(inputs..., label)`` items, a dataset of unlabelled
            ``(inputs...)`` items (told apart by the number of inputs the model's
            ``forward`` takes), or the model's first input as a plain array, e.g. windows
            ``[n, n_leads, n_samples]``.
        *extra_inputs : numpy.ndarray or torch.Tensor
            With a plain array: the model's further inputs, e.g. RR features
            ``[n, n_features]``.
        batch_size : int, optional
            Items per forward pass (>= 1); default :data:`CPU_PREDICT_BATCH` (256) on the
            CPU, the larger of the training batch and 512 on an accelerator.
        adapt_batchnorm : bool
            Predict with the statistics of these items in the model's BatchNorm layers over
            time series (:func:`ecgkit.train.batchnorm.recording_statistics`, AdaBN): give
            the beats of one recording, or ``groups``. The trained statistics come back
            afterwards.
        groups : array_like, optional
            With ``adapt_batchnorm``, one label per item (records, context blocks): each
            group's items are predicted with that group's own statistics. Default: all
            items are one group.

        Returns
        -------
        Prediction
            ``labels`` are the dataset's labels, or -1 for unlabelled data (whose
            :meth:`Prediction.metrics` then refuses to score).
        """
        if batch_size is not None:
            size = check_count(batch_size, "batch_size", minimum=1)
        else:
            size = self.predict_batch_size
        if not isinstance(data, Dataset):
            data = _unlabelled_dataset(data, extra_inputs)
        elif extra_inputs:
            raise TypeError("extra_inputs are for plain arrays; a dataset carries its inputs")
        labelled = _is_labelled(data, _forward_arity(self.model))
        n = len(data)  # type: ignore[arg-type]
        if not adapt_batchnorm:
            if groups is not None:
                raise ValueError("groups are for adapt_batchnorm=True: they name whose statistics")
            return self._predict(data, torch.arange(n), size, labelled)
        if groups is None:
            return self._adapted_prediction(data, torch.arange(n), size, labelled)
        group = np.asarray(groups)
        if group.shape != (n,):
            raise ValueError(f"groups must hold one label per item ({n}), got shape {group.shape}")
        probabilities = np.empty((n, 0), dtype=np.float32)
        truth = np.empty(n, dtype=np.int64)
        for value in np.unique(group):
            rows = np.flatnonzero(group == value)
            part = self._adapted_prediction(data, torch.from_numpy(rows), size, labelled)
            if probabilities.shape[1] == 0:
                probabilities = np.empty((n, part.probabilities.shape[1]), dtype=np.float32)
            probabilities[rows], truth[rows] = part.probabilities, part.labels
        return Prediction(probabilities, probabilities.argmax(axis=1).astype(np.int64), truth)

    def _adapted_prediction(
        self, data: Dataset[Item], rows: torch.Tensor, size: int, labelled: bool
    ) -> Prediction:
        """:meth:`_predict` of ``rows`` with their own statistics in the BatchNorm layers."""
        # batches of about equal size: the statistics are the mean of the batches'
        equal = [rows[b] for b in equal_batches(rows.numel(), size)]

        def inputs() -> Iterator[Item]:
            for batch in self._batches(data, equal):
                moved = self._to_device(batch)
                yield moved[:-1] if labelled else moved

        with recording_statistics(self.model, inputs):
            return self._predict(data, rows, size, labelled)

    def _predict(
        self, data: Dataset[Item], rows: torch.Tensor, size: int, labelled: bool
    ) -> Prediction:
        """Probabilities of the items ``rows`` (in that order), ``size`` at a time."""
        was_training = self.model.training
        self.model.eval()
        probabilities: list[torch.Tensor] = []
        labels: list[torch.Tensor] = []
        try:
            for batch in self._batches(data, list(torch.split(rows, size))):
                moved = self._to_device(batch)
                inputs = moved[:-1] if labelled else moved
                with self._autocast():
                    logits = self.model(*inputs)
                probabilities.append(torch.softmax(logits.float(), dim=1).cpu())
                if labelled:
                    labels.append(moved[-1].cpu())
        finally:
            self.model.train(was_training)
        probs = torch.cat(probabilities).numpy().astype(np.float32)
        truth = (
            torch.cat(labels).numpy().astype(np.int64)
            if labelled
            else np.full(probs.shape[0], -1, dtype=np.int64)
        )
        return Prediction(probs, probs.argmax(axis=1).astype(np.int64), truth)

    def evaluate(
        self, data: Dataset[Item], *, classes: Sequence[str] | None = None
    ) -> ClassificationMetrics:
        """Per-class Se, +P, F1, accuracy, macro F1, confusion matrix and mean loss.

        Scored after the trainer's ``decision`` rule, as the validation scores that choose
        the best epoch are.

        Parameters
        ----------
        data : torch Dataset
            Items ``(inputs..., label)``.
        classes : sequence of str, optional
            Class names; default ``data.classes`` when the dataset has them.
        """
        prediction = self.predict(data)
        if self.decision is not None:
            prediction = self.decision(prediction)
        n_classes = prediction.probabilities.shape[1]
        names = classes or getattr(data, "classes", None) or [str(i) for i in range(n_classes)]
        return prediction.metrics(names)
