"""The limiter spaces sends evenly at the configured rate, across threads."""

from __future__ import annotations

import threading
import time

from connector.ratelimit import RateLimiter


class FakeClock:
    """Time that moves only when the limiter sleeps, so tests take no real time."""

    def __init__(self) -> None:
        self.now = 100.0
        self.lock = threading.Lock()

    def time(self) -> float:
        with self.lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        with self.lock:
            self.now = max(self.now, self.now + seconds)


def test_sends_are_spaced_one_interval_apart() -> None:
    clock = FakeClock()
    limiter = RateLimiter(20, clock=clock.time, sleep=clock.sleep)
    sent = []
    for _ in range(41):
        limiter.acquire()
        sent.append(clock.time())
    assert sent[0] == 100.0
    assert round(sent[-1] - sent[0], 6) == 2.0  # 40 intervals of 50 ms
    in_first_second = [t for t in sent if round(t, 6) < 101.0]
    assert len(in_first_second) == 20


def test_idle_limiter_sends_at_once() -> None:
    clock = FakeClock()
    limiter = RateLimiter(5, clock=clock.time, sleep=clock.sleep)
    limiter.acquire()
    clock.now += 10
    assert limiter.acquire() == 0.0


def test_threads_share_one_budget() -> None:
    limiter = RateLimiter(200)
    stamps: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(10):
            limiter.acquire()
            with lock:
                stamps.append(time.monotonic())

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stamps.sort()
    # 40 sends at 200/s cannot take less than 39 intervals of 5 ms.
    assert stamps[-1] - stamps[0] >= 39 * 0.005 * 0.95


def test_a_share_of_the_quota_spaces_sends_further_apart() -> None:
    clock = FakeClock()
    share = [1.0]
    limiter = RateLimiter(20, share=lambda: share[0], clock=clock.time, sleep=clock.sleep)
    for _ in range(21):
        limiter.acquire()
    assert round(clock.time() - 100.0, 6) == 1.0  # 20 intervals of 50 ms
    share[0] = 0.25  # a quarter of 20/s: 5/s, one send every 200 ms
    start = clock.time()
    for _ in range(10):
        limiter.acquire()
    # The first waits out the slot it was already given (50 ms), the rest 200 ms apart.
    assert round(clock.time() - start, 6) == 0.05 + 9 * 0.2
