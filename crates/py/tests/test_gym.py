"""The Gymnasium environments: Gymnasium's own checks, the vector env against Gymnasium's SyncVectorEnv of the
single env, episodes' ends, the actions' way to the device, bad actions."""

import numpy as np
import pytest

gymnasium = pytest.importorskip("gymnasium")
from gymnasium.utils.env_checker import check_env  # noqa: E402

import exosim  # noqa: E402
from exosim.gym import AssistEnv, AssistVectorEnv  # noqa: E402

SHORT = {"simulation.duration_s": 1.0}


@pytest.mark.parametrize("name", ["walking-assist", "opensim-walk-hip-exo"])
@pytest.mark.parametrize("action", ["torque", "residual"])
def test_the_environments_pass_gymnasiums_checker(name, action):
    env = AssistEnv(name, action=action, overrides=SHORT)
    check_env(env, skip_render_check=True)
    n = len(env.joints)
    assert env.observation_space.shape == (7 * n + 3,)
    assert env.action_space.shape == (n,)


def test_the_profile_action_passes_the_checker_and_takes_effect_from_the_next_stride():
    env = AssistEnv("walking-assist", action="profile", overrides={"simulation.duration_s": 6.0})
    check_env(env, skip_render_check=True)
    assert env.action_space.shape == (8,)
    env.reset(seed=0)
    before = env.gains()
    action = np.array([5.0, 30.0, 20.0, 20.0, -4.0, 70.0, 10.0, 12.0])
    obs, *_ = env.step(action)
    assert env.gains() == before, "applied before the next stride"
    phase0 = obs[-2]
    changed_at = None
    for k in range(3000):
        obs, r, term, trunc, info = env.step(action)
        if env.gains() != before:
            changed_at = k
            break
    assert changed_at is not None, "never applied"
    g = env.gains()
    assert g["peak_torque_nm"] == [5.0, -4.0] and g["peak_time_pct"] == [30.0, 70.0]
    assert g["rise_time_pct"] == [20.0, 10.0] and g["fall_time_pct"] == [20.0, 12.0]
    assert "profile_error" not in info
    # Applied as the device's phase wrapped to a new stride (or became known).
    assert info["gait_phase"] is not None and info["gait_phase"] < 0.05, (phase0, info["gait_phase"])


def test_the_torque_action_reaches_the_joint_through_the_firmware():
    # walking-assist's hip and knee run the assistance law's torque loop; the action is the whole assistance.
    env = AssistEnv("walking-assist", overrides={"simulation.duration_s": 2.0})
    obs, _ = env.reset(seed=1)
    assert env.gains()["assistance_gain"] == [0.0, 0.0], "the profile is off: the action is the assistance"
    for _ in range(20):
        obs, *_ = env.step(np.array([4.0, -3.0]))
    s = env.state()
    np.testing.assert_array_equal(s["command"]["demand_nm"], [4.0, -3.0])
    # Clipped to the actuators' peak torque.
    high = env.action_space.high
    env.step(high * 10)
    np.testing.assert_allclose(env.state()["command"]["demand_nm"], high)


def test_the_observation_is_the_sensor_frame():
    env = AssistEnv("walking-assist", overrides={"simulation.duration_s": 4.0})
    obs, _ = env.reset(seed=0)
    for _ in range(200):
        obs, *_ = env.step(np.zeros(2))
    s = env.state()
    f, n = s["sensors"], 2
    names = [
        "joint_position_rad",
        "joint_velocity_rad_per_s",
        "motor_position_rad",
        "motor_velocity_rad_per_s",
        "joint_torque_nm",
        "interaction_torque_nm",
    ]
    for k, name in enumerate(names):
        np.testing.assert_array_equal(obs[k * n : (k + 1) * n], f[name], err_msg=name)
    np.testing.assert_array_equal(obs[6 * n : 7 * n], f["foot_contact"].astype(float))
    assert obs[7 * n] == f["base_pitch_rad"]
    # After 200 ms the heel-strike estimator knows no phase yet; after two strides it does.
    assert s["gait_phase"] is None and obs[7 * n + 1] == 0.0 and obs[7 * n + 2] == 0.0
    for _ in range(2500):
        obs, *_ = env.step(np.zeros(2))
    phase = env.state()["gait_phase"]
    assert phase is not None and obs[7 * n + 1] == phase and obs[7 * n + 2] == 1.0
    # The sensors are not the truth: the encoder is quantised, the torque sensor noisy.
    truth = env.state()["wearer"]
    hip = truth["coordinates"].index("hip")
    assert obs[0] != truth["q"][hip] and abs(obs[0] - truth["q"][hip]) < 0.01


def test_an_episode_is_truncated_at_the_scenarios_duration():
    env = AssistEnv("walking-assist", ticks_per_step=10, overrides={"simulation.duration_s": 0.5})
    env.reset(seed=0)
    steps = 0
    while True:
        _, r, term, trunc, info = env.step(np.zeros(2))
        steps += 1
        assert np.isfinite(r) and r <= 0.0
        if term or trunc:
            break
    # One tick at reset, then 10 per step, the last step 9: 0.5 s at 1 kHz exactly.
    assert trunc and not term and steps == 50, (steps, info)
    assert env.state()["ticks"] == 500
    with pytest.raises(RuntimeError, match="call reset"):
        env.step(np.zeros(2))


def test_a_safe_stop_terminates_with_its_reason():
    # sensor-fault: a scheduled encoder fault latches the supervisor's safe stop.
    env = AssistEnv("sensor-fault", action="residual", ticks_per_step=10)
    env.reset(seed=0)
    for _ in range(100000):
        _, _, term, trunc, info = env.step(np.zeros(env.action_space.shape))
        if term or trunc:
            break
    assert term and not trunc, info
    assert info["reason"].startswith("safe stop: "), info


def test_bad_actions_raise_and_nothing_panics():
    env = AssistEnv("walking-assist", overrides=SHORT)
    env.reset(seed=0)
    with pytest.raises(ValueError, match=r"action\[1\] is not finite"):
        env.step(np.array([0.0, np.nan]))
    with pytest.raises(ValueError, match="expected an action of 2 numbers, got 3"):
        env.step(np.zeros(3))
    with pytest.raises(TypeError):
        env.step(np.zeros((2, 2)))
    with pytest.raises(KeyError, match="unknown action"):
        AssistEnv("walking-assist", action="teleport")
    with pytest.raises(ValueError, match="needs the assistance law"):
        AssistEnv("torque-step", action="profile")
    with pytest.raises(exosim.ScenarioError):
        AssistEnv("walking-assist", overrides={"simulation.bogus": 1})
    v = AssistVectorEnv("walking-assist", num_envs=3, overrides=SHORT)
    v.reset(seed=0)
    with pytest.raises(ValueError, match=r"shape \(3, 2\)"):
        v.step(np.zeros((2, 2)))
    bad = np.zeros((3, 2))
    bad[2, 0] = np.inf
    with pytest.raises(ValueError, match=r"environment 2: action\[0\] is not finite"):
        v.step(bad)


def rollout(env, seed, steps, actions):
    out = []
    obs, _ = env.reset(seed=seed)
    out.append(obs.copy())
    for k in range(steps):
        obs, r, term, trunc, _ = env.step(actions[k])
        out.append(np.concatenate([obs.ravel(), np.ravel(r), np.ravel(term), np.ravel(trunc)]))
    return out


@pytest.mark.parametrize("jobs", [1, 2])
def test_the_vector_env_is_gymnasiums_sync_vector_env_of_the_single_env_bit_for_bit(jobs):
    # Short episodes so that every environment ends and autoresets within the run.
    overrides = {"simulation.duration_s": 0.05}
    n, steps = 3, 130
    rng = np.random.default_rng(5)
    high = AssistEnv("walking-assist", overrides=overrides).action_space.high
    actions = rng.uniform(-high, high, size=(steps, n, 2))
    ours = AssistVectorEnv("walking-assist", num_envs=n, jobs=jobs, overrides=overrides)
    # Environment i of a reset with seed s starts from s + i, as ours does.
    theirs = gymnasium.vector.SyncVectorEnv(
        [lambda: AssistEnv("walking-assist", overrides=overrides) for _ in range(n)],
        autoreset_mode=gymnasium.vector.AutoresetMode.NEXT_STEP,
    )
    assert ours.single_observation_space == theirs.single_observation_space
    assert ours.single_action_space == theirs.single_action_space
    a = rollout(ours, 10, steps, actions)
    b = rollout(theirs, [10, 11, 12], steps, actions)
    ends = 0
    for k, (x, y) in enumerate(zip(a, b)):
        np.testing.assert_array_equal(x, y, err_msg=f"step {k}")
        if k > 0:
            ends += int(x[-2 * n :].sum())
    assert ends >= n, "every environment ended at least once"


def test_the_vector_env_gives_the_same_results_whatever_the_thread_count():
    overrides = {"simulation.duration_s": 0.3}
    actions = np.random.default_rng(1).uniform(-5, 5, size=(400, 4, 2))
    runs = [
        rollout(AssistVectorEnv("opensim-walk-hip-exo", num_envs=4, jobs=j, overrides=overrides), 3, 400, actions)
        for j in (1, 2)
    ]
    for k, (x, y) in enumerate(zip(*runs)):
        np.testing.assert_array_equal(x, y, err_msg=f"step {k}")


def test_the_metabolic_reward_is_the_programs_metabolic_power_evaluated_as_the_walk_goes():
    # The same walk as the program's run (a zero residual leaves the scenario's own profile acting alone), with the
    # muscles evaluated every 10 ticks: averaged over the summary's window, within 1 % of the summary's figure (the
    # rows are 1 ms apart and the summary's average is interpolated to the window's edges).
    sc = exosim.load("opensim-walk-hip-exo")
    m = sc.run().summary["metabolics"]
    t0, t1 = m["window_s"]
    env = AssistEnv(sc, action="residual", ticks_per_step=10, reward="metabolic", metabolic_weight=1e-2)
    env.reset(seed=0)
    times, power, rewards = [], [], []
    while True:
        _, r, term, trunc, info = env.step(np.zeros(2))
        times.append(info["time_s"])
        power.append(info["metabolic_w"])
        rewards.append(r)
        if term or trunc:
            break
    times, power = np.array(times), np.array(power)
    inside = (times > t0) & (times <= t1)
    assert abs(power[inside].mean() - m["muscles_w"]) < 0.01 * m["muscles_w"], (power[inside].mean(), m)
    # The reward is minus the weighted power (the imported wearer's cuffs read nothing).
    np.testing.assert_allclose(rewards, -1e-2 * power, rtol=1e-12)
    check_env(AssistEnv(sc, reward="metabolic", overrides=SHORT), skip_render_check=True)


def test_a_metabolic_reward_needs_muscles_and_bad_weights_are_refused():
    with pytest.raises(ValueError, match="needs an imported wearer with muscles"):
        AssistEnv("walking-assist", reward="metabolic")
    with pytest.raises(KeyError, match="unknown reward"):
        AssistEnv("walking-assist", reward="happiness")
    with pytest.raises(ValueError, match="metabolic_every_ticks must be at least 1"):
        AssistEnv("opensim-walk-hip-exo", reward="metabolic", metabolic_every_ticks=0)
    with pytest.raises(ValueError, match="effort_weight must be finite and non-negative"):
        AssistEnv("walking-assist", effort_weight=float("nan"))


def test_the_metabolic_vector_env_gives_the_same_results_whatever_the_thread_count():
    overrides = {"simulation.duration_s": 0.3}
    actions = np.random.default_rng(2).uniform(-5, 5, size=(60, 3, 2))
    runs = [
        rollout(
            AssistVectorEnv(
                "opensim-walk-hip-exo", num_envs=3, jobs=j, ticks_per_step=5, reward="metabolic", overrides=overrides
            ),
            3,
            60,
            actions,
        )
        for j in (1, 2)
    ]
    for k, (x, y) in enumerate(zip(*runs)):
        np.testing.assert_array_equal(x, y, err_msg=f"step {k}")


def test_every_environment_and_every_episode_has_its_own_noise():
    # The torque sensors' noise comes from the seed: environments that share no seed read different noise.
    v = AssistVectorEnv("walking-assist", num_envs=3, overrides={"simulation.duration_s": 0.02})
    obs, _ = v.reset()
    torques = obs[:, 8:10]
    assert len({tuple(t) for t in torques}) == 3, torques
    # Each environment's later episodes continue its own stream: environment 0's second and third episodes (as a
    # single environment's) replay neither environment 1's nor 2's first.
    firsts = [tuple(t) for t in torques]
    single = AssistEnv("walking-assist", overrides={"simulation.duration_s": 0.02})
    starts = [tuple(single.reset()[0][8:10]) for _ in range(3)]
    assert starts[0] == firsts[0] and len(set(starts)) == 3, starts
    assert len(set(firsts) | set(starts)) == 5, (firsts, starts)
    # A seed well past TOML's integers is a seed like any other.
    o1, _ = single.reset(seed=2**64 - 1)
    o2, _ = single.reset(seed=2**64 - 1)
    np.testing.assert_array_equal(o1, o2)


def test_ctrl_c_stops_a_long_run():
    import _thread
    import signal
    import threading
    import time

    # A process started in the background (a CI job) inherits SIGINT ignored, and Python then installs no handler
    # for it: install Python's own, as an interactive session has it.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        sc = exosim.load("walking-assist", overrides={"simulation.duration_s": 600.0})
        timer = threading.Timer(0.3, _thread.interrupt_main)
        timer.start()
        start = time.perf_counter()
        with pytest.raises(KeyboardInterrupt):
            sc.run()
        # 600 s of walking take about 5 s here; the interrupt stops it within a fraction of that.
        assert time.perf_counter() - start < 2.0
        timer.cancel()
    finally:
        signal.signal(signal.SIGINT, previous)
