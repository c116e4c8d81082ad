import HostctlSystem
import Testing

/// The loop's stamp clock, against the clock it stands in for.
@Suite struct StampClockTests {
    /// Every stamp lies between clock reads taken just before and just after it (within the
    /// error its anchor and measured rate allow, far below what a wrong scale would give),
    /// and stamps never go back. A short calibration window, so the counter path runs.
    @Test func stampsStayWithTheClockAndNeverGoBack() {
        let clock = StampClock(calibrationWindow: 10_000_000, anchorLifetime: 1_000_000)
        let tolerance: Int64 = 10_000
        var previous = Int64.min
        var checkedCalibrated = 0
        var outside = 0
        var wentBack = 0
        for _ in 0..<20_000_000 where checkedCalibrated < 200_000 {
            let before = MonotonicClock.now()
            let stamp = clock.now()
            let after = MonotonicClock.now()
            if stamp < before - tolerance || stamp > after + tolerance { outside += 1 }
            if stamp < previous { wentBack += 1 }
            previous = stamp
            if clock.isCalibrated { checkedCalibrated += 1 }
        }
        #expect(outside == 0)
        #expect(wentBack == 0)
        if StampClock.countsTime {
            #expect(checkedCalibrated == 200_000, "the counter's rate was measured and used")
        } else {
            print("StampClockTests: the kernel does not keep time by the cycle counter here; only the clock-read path ran")
        }
    }

    /// Without the counter every stamp is a clock read.
    @Test func withoutTheCounterItReadsTheClock() {
        let clock = StampClock(calibrationWindow: 0, usesCounter: false)
        for _ in 0..<1_000 {
            let before = MonotonicClock.now()
            let stamp = clock.now()
            #expect(stamp >= before && stamp <= MonotonicClock.now())
        }
        #expect(!clock.isCalibrated)
    }
}
