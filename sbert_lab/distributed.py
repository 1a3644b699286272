"""Training on several processes: ``torchrun --nproc_per_node N`` runs ``fit`` with
DistributedDataParallel (gloo on CPU, nccl on GPU).

Every process takes a shard of the same global batch of ``batch_size × N`` examples (so
``batch_size`` is per process), gradients are averaged, and only rank 0 shows progress, evaluates
and writes files. Without torchrun, ``Distributed.start`` returns rank 0 of 1 and every method here
is a no-op, so ``fit`` reads the same either way.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import torch
from torch import nn

from .precision import default_device


def process_device() -> torch.device:
    """This process's device: under torchrun on GPUs ``cuda:$LOCAL_RANK`` (made current), else the
    default.

    Call it before building the model, so that every rank's weights go straight to its own GPU
    instead of all landing on GPU 0 first.
    """
    device = default_device()
    if device.type == "cuda" and "LOCAL_RANK" in os.environ:
        device = torch.device("cuda", int(os.environ["LOCAL_RANK"]))
        torch.cuda.set_device(device)
    return device


@dataclass
class Distributed:
    """Which process this is in a torchrun job (rank 0 of 1 without one)."""

    rank: int = 0
    world_size: int = 1
    started_here: bool = False

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    @classmethod
    def start(cls, model: nn.Module) -> Distributed:
        """Join the process group torchrun describes in the environment (gloo on CPU, nccl on
        GPU)."""
        import torch.distributed as dist

        wanted = int(os.environ.get("WORLD_SIZE", "1")) > 1
        if not dist.is_available() or not (dist.is_initialized() or wanted):
            return cls()
        started = False
        if model.device.type == "cuda":  # its own GPU first: nccl binds to the current device
            model.to(process_device())
        if not dist.is_initialized():
            backend = "nccl" if model.device.type == "cuda" else "gloo"
            dist.init_process_group(backend=backend)
            started = True
        return cls(dist.get_rank(), dist.get_world_size(), started)

    def wrap(self, module: nn.Module) -> nn.Module:
        """``module`` in DistributedDataParallel under torchrun; ``module`` itself otherwise."""
        if self.world_size == 1:
            return module
        from torch.nn.parallel import DistributedDataParallel

        device = next(module.parameters()).device
        ids = [device.index] if device.type == "cuda" else None
        # find_unused_parameters: BERT's pooler belongs to the model but not to a sentence embedding
        return DistributedDataParallel(module, device_ids=ids, find_unused_parameters=True)

    def mean(self, value: torch.Tensor) -> float:
        """The mean of a scalar over all processes."""
        if self.world_size == 1:
            return float(value.detach())
        import torch.distributed as dist

        total = value.detach().float().clone().reshape(1)
        dist.all_reduce(total)
        return float(total) / self.world_size

    def from_main(self, value):
        """Rank 0's ``value`` on every process."""
        if self.world_size == 1:
            return value
        import torch.distributed as dist

        box = [value]
        dist.broadcast_object_list(box, src=0)
        return box[0]

    def gather(self, value) -> list:
        """Every process's ``value``, in rank order."""
        if self.world_size == 1:
            return [value]
        import torch.distributed as dist

        boxes = [None] * self.world_size
        dist.all_gather_object(boxes, value)
        return boxes

    def barrier(self) -> None:
        if self.world_size > 1:
            import torch.distributed as dist

            dist.barrier()

    def stop(self) -> None:
        if self.started_here:
            import torch.distributed as dist

            dist.destroy_process_group()
