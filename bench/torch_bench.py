"""bench/torch_bench.py - PyTorch's side of `make bench`: the same models as bench/bench.lua,
timed the same way (median of repeated runs), printed as one JSON object per line.

Usage: /usr/bin/python3 bench/torch_bench.py THREADS [REPEATS]
Run with OPENBLAS_NUM_THREADS=1 so OpenBLAS threads never fight torch's own pool."""
import json
import statistics
import sys
import time

import torch
import torch.nn as nn

threads = int(sys.argv[1]) if len(sys.argv) > 1 else 1
repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 5
torch.set_num_threads(threads)
torch.manual_seed(123)


class Rescale(nn.Module):
    def forward(self, x):
        return x * (1.0 / 255)


def lecture_cnn():
    return nn.Sequential(
        Rescale(),
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(4),
        nn.Flatten(), nn.Linear(960, 64), nn.ReLU(), nn.Linear(64, 55))


def logistic():
    return nn.Sequential(nn.Flatten(), Rescale(), nn.Linear(4800, 55))


def fashion_cnn():
    return nn.Sequential(
        nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64 * 5 * 5, 128), nn.ReLU(), nn.Linear(128, 10))


MODELS = {
    "lecture_cnn": (lecture_cnn, (1, 80, 60), 55),
    "logistic": (logistic, (1, 80, 60), 55),
    "fashion_cnn": (fashion_cnn, (1, 28, 28), 10),
}


def time_train(name, batch, steps):
    make, shape, classes = MODELS[name]
    model = make()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    loss_fn = nn.CrossEntropyLoss()
    x = torch.rand(batch, *shape) * 255
    y = torch.randint(0, classes, (batch,))

    def step():
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()

    for _ in range(3):
        step()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(steps):
            step()
        times.append((time.perf_counter() - t0) / steps)
    return batch / statistics.median(times)


def time_infer(name, batch, steps):
    make, shape, _ = MODELS[name]
    model = make().eval()
    x = torch.rand(batch, *shape) * 255
    with torch.no_grad():
        for _ in range(3):
            model(x)
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            for _ in range(steps):
                model(x)
            times.append((time.perf_counter() - t0) / steps)
    return batch / statistics.median(times)


def memory():
    """Peak resident memory of a training run of the lecture CNN: 2048 images, batch 32."""
    import resource
    model = lecture_cnn()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    loss_fn = nn.CrossEntropyLoss()
    x = torch.rand(2048, 1, 80, 60) * 255
    y = torch.arange(2048) % 55
    for i in range(0, 2048, 32):
        opt.zero_grad(set_to_none=True)
        loss_fn(model(x[i:i + 32]), y[i:i + 32]).backward()
        opt.step()
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"case": "memory", "threads": threads, "peak_mb": kb / 1024}), flush=True)


def main():
    which = sys.argv[3].split(",") if len(sys.argv) > 3 else None
    cases = [
        ("lecture_cnn", "train", 32, 20), ("lecture_cnn", "infer", 32, 40),
        ("lecture_cnn", "infer", 256, 5), ("logistic", "train", 32, 200),
        ("fashion_cnn", "train", 32, 30),
    ]
    for model, kind, batch, steps in cases:
        key = f"{model}/{kind}/{batch}"
        if which and key not in which:
            continue
        f = time_train if kind == "train" else time_infer
        ips = f(model, batch, steps)
        print(json.dumps({"case": key, "threads": threads, "images_per_s": round(ips, 1)}), flush=True)


if len(sys.argv) > 3 and sys.argv[3] == "memory":
    memory()
else:
    main()
