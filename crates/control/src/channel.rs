//! The measured channels of a sensor frame, and sets of them.
//!
//! A law declares which channels it reads ([`ControlLaw::reads`](crate::ControlLaw::reads)); the supervisor
//! watches a set of channels ([`SensorChecks::monitored`](crate::safety::SensorChecks)) and must watch at least
//! those of the law in force, so that no law can act on a reading nobody checks.

/// One measured channel of a [`SensorFrame`](crate::SensorFrame).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Channel {
    /// Joint-side encoder angle, rad.
    JointPosition,
    /// Joint velocity estimate, rad/s.
    JointVelocity,
    /// Motor-side encoder angle divided by the gear ratio, rad.
    MotorPosition,
    /// Motor velocity divided by the gear ratio, rad/s.
    MotorVelocity,
    /// Joint torque from the series spring or a load cell, N m.
    JointTorque,
    /// Interaction torque measured at the cuffs, N m.
    InteractionTorque,
    /// Foot contact from the gait-event sensor (foot switch or insole).
    FootContact,
    /// Pitch of the device's base frame from its inertial sensor, rad.
    BasePitch,
}

impl Channel {
    /// Every channel, in the order of their bits.
    pub const ALL: [Channel; 8] = [
        Channel::JointPosition,
        Channel::JointVelocity,
        Channel::MotorPosition,
        Channel::MotorVelocity,
        Channel::JointTorque,
        Channel::InteractionTorque,
        Channel::FootContact,
        Channel::BasePitch,
    ];

    /// The channel's name as recordings and logs spell it.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Channel::JointPosition => "joint_position",
            Channel::JointVelocity => "joint_velocity",
            Channel::MotorPosition => "motor_position",
            Channel::MotorVelocity => "motor_velocity",
            Channel::JointTorque => "joint_torque",
            Channel::InteractionTorque => "interaction_torque",
            Channel::FootContact => "foot_contact",
            Channel::BasePitch => "base_pitch",
        }
    }

    /// A stable small number (0-7) for recordings.
    #[must_use]
    pub const fn index(self) -> u8 {
        self as u8
    }

    const fn bit(self) -> u16 {
        1 << (self as u16)
    }
}

/// A set of channels (a bit set; `Copy`, no allocation).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Channels(u16);

impl Channels {
    /// No channel.
    pub const NONE: Channels = Channels(0);
    /// Every channel.
    pub const ALL: Channels = Channels(0xff);

    /// The set holding exactly `channels`.
    #[must_use]
    pub const fn of(channels: &[Channel]) -> Self {
        let mut bits = 0;
        let mut i = 0;
        while i < channels.len() {
            bits |= channels[i].bit();
            i += 1;
        }
        Channels(bits)
    }

    /// True when `channel` is in the set.
    #[must_use]
    pub const fn contains(self, channel: Channel) -> bool {
        self.0 & channel.bit() != 0
    }

    /// True when every channel of `other` is in the set.
    #[must_use]
    pub const fn covers(self, other: Channels) -> bool {
        self.0 & other.0 == other.0
    }

    /// The union of two sets.
    #[must_use]
    pub const fn union(self, other: Channels) -> Self {
        Channels(self.0 | other.0)
    }

    /// The set with `channel` added.
    #[must_use]
    pub const fn with(self, channel: Channel) -> Self {
        Channels(self.0 | channel.bit())
    }

    /// The set with `channel` removed.
    #[must_use]
    pub const fn without(self, channel: Channel) -> Self {
        Channels(self.0 & !channel.bit())
    }

    /// The first channel of `other` missing from this set, if any.
    #[must_use]
    pub fn first_missing(self, other: Channels) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| other.contains(*c) && !self.contains(*c))
    }

    /// The channels in the set, in bit order.
    pub fn iter(self) -> impl Iterator<Item = Channel> {
        Channel::ALL.into_iter().filter(move |c| self.contains(*c))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_hold_what_was_put_in() {
        let s = Channels::of(&[Channel::JointPosition, Channel::JointTorque]);
        assert!(s.contains(Channel::JointTorque) && !s.contains(Channel::MotorPosition));
        assert!(Channels::ALL.covers(s) && !s.covers(Channels::ALL));
        assert_eq!(s.first_missing(s.with(Channel::BasePitch)), Some(Channel::BasePitch));
        assert_eq!(s.without(Channel::JointTorque), Channels::of(&[Channel::JointPosition]));
        assert_eq!(Channels::ALL.iter().count(), Channel::ALL.len());
        for (i, c) in Channel::ALL.iter().enumerate() {
            assert_eq!(usize::from(c.index()), i);
        }
    }
}
