import Foundation

/// CPU time the calling thread has used: what a compilation cost, whatever else the machine was
/// doing meanwhile (wall time on a loaded host would mark ordinary patterns costly).
enum ThreadCPUTime {
    static func now() -> Duration {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return .seconds(time.tv_sec) + .nanoseconds(time.tv_nsec)
    }
}
