//! Turning a send's cron expression into moments in the audience's own time zone.

mod cron;

pub use cron::CronSchedule;
