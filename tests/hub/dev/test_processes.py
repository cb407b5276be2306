"""The supervisor's stop signals: SIGTERM and SIGHUP interrupt as Ctrl-C does, once."""

from __future__ import annotations

import os
import signal
import time

import pytest

from hub.dev.processes import StopSignals


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_a_stop_signal_interrupts_like_ctrl_c_and_names_itself(sig: signal.Signals) -> None:
    with StopSignals() as stop, pytest.raises(KeyboardInterrupt):
        os.kill(os.getpid(), sig)
        time.sleep(5)  # the handler raises before this ends
    assert stop.received is sig


def test_once_shielded_a_second_signal_cannot_cut_the_clean_up_short() -> None:
    with StopSignals() as stop:
        stop.shield()
        os.kill(os.getpid(), signal.SIGTERM)
        os.kill(os.getpid(), signal.SIGHUP)
        cleaned_up = True
    assert cleaned_up
    assert stop.received is signal.SIGTERM


def test_the_previous_handlers_come_back_afterwards() -> None:
    before = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGHUP)}
    with StopSignals():
        assert signal.getsignal(signal.SIGTERM) != before[signal.SIGTERM]
    assert {sig: signal.getsignal(sig) for sig in before} == before
