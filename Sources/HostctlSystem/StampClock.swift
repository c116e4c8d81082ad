import CHostctlLinux
import Glibc

/// `MonotonicClock`'s nanoseconds, for one thread that stamps many events a second (HTTP.sys's
/// request timing: a stamp or two a request). A clock read costs ~23 ns on a VM like this one
/// (the vDSO's fenced counter read under its seqlock); the cycle counter alone, ~10.
///
/// One clock read anchors the clock; the reads after it add the cycle counter's advance,
/// scaled by a rate measured against the clock itself over at least `calibrationWindow`.
/// An anchor serves for `anchorLifetime`; past that, before the rate is known, and where the
/// counter is not what the kernel keeps time by, a read is a clock read. Kept within an
/// anchor's short life, the scaled advance stays within nanoseconds of the clock.
/// Never goes back. One thread only (a loop's).
public final class StampClock {
    /// Whether the kernel keeps time by the cycle counter: on x86-64 only when it found the
    /// TSC constant, in step across CPUs and running in sleep states (its clock source is
    /// then "tsc"); AArch64's virtual counter always runs at a fixed rate.
    public static let countsTime: Bool = {
        #if arch(x86_64)
        let source = try? FileSystem.readFile("/sys/devices/system/clocksource/clocksource0/current_clocksource")
        return source?.starts(with: Array("tsc".utf8)) ?? false
        #elseif arch(arm64)
        return true
        #else
        return false
        #endif
    }()

    @usableFromInline let usesCounter: Bool
    private let calibrationWindow: Int64
    private let anchorLifetime: Int64
    @usableFromInline @exclusivity(unchecked) var anchorNanoseconds: Int64 = 0
    @usableFromInline @exclusivity(unchecked) var anchorTicks: UInt64 = 0
    /// Nanoseconds a tick in 32.32 fixed point (an integer multiply and a shift scale an
    /// advance: the floating-point conversions, with Swift's range checks, cost twice the
    /// rest of a read); 0 until measured.
    @usableFromInline @exclusivity(unchecked) var nanosecondsPerTick: UInt64 = 0
    /// `anchorLifetime` in ticks, once the rate is known.
    @usableFromInline @exclusivity(unchecked) var anchorLifetimeTicks: UInt64 = 0
    @exclusivity(unchecked) private var calibrationNanoseconds: Int64 = 0
    @exclusivity(unchecked) private var calibrationTicks: UInt64 = 0
    @usableFromInline @exclusivity(unchecked) var latest: Int64 = 0

    /// `calibrationWindow` and `anchorLifetime` in nanoseconds (tests shorten the window).
    public init(calibrationWindow: Int64 = 100_000_000, anchorLifetime: Int64 = 1_000_000, usesCounter: Bool = StampClock.countsTime) {
        // An advance scaled within an anchor's life stays under 2^64: at most
        // `anchorLifetime` nanoseconds, times 2^32.
        precondition(anchorLifetime > 0 && anchorLifetime <= 1_000_000_000, "an anchor lives at most a second")
        self.usesCounter = usesCounter
        self.calibrationWindow = calibrationWindow
        self.anchorLifetime = anchorLifetime
    }

    /// The counter's rate is known: reads within an anchor's life no longer read the clock.
    public var isCalibrated: Bool { nanosecondsPerTick > 0 }

    @inlinable @inline(__always)
    public func now() -> Int64 {
        guard usesCounter else { return MonotonicClock.now() }
        let elapsed = chl_cycle_counter() &- anchorTicks
        guard elapsed < anchorLifetimeTicks else { return reanchor() }
        let stamp = anchorNanoseconds &+ Int64(truncatingIfNeeded: (elapsed &* nanosecondsPerTick) &>> 32)
        if stamp > latest { latest = stamp }
        return latest
    }

    /// Reads the clock, anchors there, and measures the rate once the window has passed.
    /// The counter is read on both sides of the clock: a pair taken across a preemption
    /// (the reads far apart) anchors nothing and measures nothing, since its error would
    /// last until the next anchor (or skew the rate until the next window).
    @inline(never) @usableFromInline
    func reanchor() -> Int64 {
        let before = chl_cycle_counter()
        let nanoseconds = MonotonicClock.now()
        let after = chl_cycle_counter()
        if nanoseconds > latest { latest = nanoseconds }
        guard after &- before < Self.maxTicksAcrossRead else { return latest }
        let ticks = before &+ (after &- before) / 2
        if calibrationTicks == 0 {
            (calibrationTicks, calibrationNanoseconds) = (ticks, nanoseconds)
        } else if nanoseconds - calibrationNanoseconds >= calibrationWindow, ticks > calibrationTicks {
            let rate = Double(nanoseconds - calibrationNanoseconds) / Double(ticks - calibrationTicks)
            nanosecondsPerTick = max(1, UInt64((rate * 4_294_967_296).rounded()))
            anchorLifetimeTicks = UInt64(Double(anchorLifetime) / rate)
            (calibrationTicks, calibrationNanoseconds) = (ticks, nanoseconds)
        }
        (anchorTicks, anchorNanoseconds) = (ticks, nanoseconds)
        return latest
    }

    /// A clock read takes ~70 ticks of a 3 GHz counter; 4,096 (over a microsecond) means the
    /// thread was interrupted between the reads.
    private static let maxTicksAcrossRead: UInt64 = 4_096
}
