"""The harness itself: the sandbox started, its control routes answer, and the receiver gets
what the sandbox sends."""


def test_sandbox_answers_its_control_routes(sandbox):
    sandbox.call("DELETE", "/sandbox/received")
    assert sandbox.received() == []


def test_faults_are_off_between_tests(sandbox):
    assert sandbox.faults() == {
        "rate_429": 0.0,
        "rate_5xx": 0.0,
        "rate_slow": 0.0,
        "slow_ms": 0,
        "rate_drop": 0.0,
        "seed": 1,
    }
