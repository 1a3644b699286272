"""sbert_lab.memory: tensor memory freed after training goes back to the operating system."""

import sys

from sbert_lab import memory


def test_freed_training_memory_goes_back_to_the_os():
    memory.return_freed_memory_to_the_os()  # no error, whatever the platform
    if sys.platform.startswith("linux") and memory._LIBC is not None:
        blocks = [bytearray(3 << 20) for _ in range(40)]  # 120 MB above the 1 MB threshold
        with open("/proc/self/status") as f:
            before = next(int(line.split()[1]) for line in f if line.startswith("VmRSS"))
        del blocks
        memory.return_freed_memory_to_the_os()
        with open("/proc/self/status") as f:
            after = next(int(line.split()[1]) for line in f if line.startswith("VmRSS"))
        assert before - after > 100_000  # kB: the 120 MB were unmapped
