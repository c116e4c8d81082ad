import HostctlTestSupport
import Glibc
import Synchronization
@testable import HostctlFront
import HostctlSystem
import Testing

/// Swaps (hostctl watch): in AppSupervisorTests' serialized suite, since they start
/// processes and count this process's descriptors as it does.
extension AppSupervisorTests {
    @Test func aSwapMovesNewRequestsAndStopsTheOldRunOnceItsRequestsAreReleased() async throws {
        let app = try FixtureApp()
        let (options, _) = Self.options { $0.swapDrainLimit = .seconds(60) }
        let supervisor = AppSupervisor(command: app.command("serve"), options: options)
        let first = try await supervisor.endpoint()  // a request still on its way to run 1
        let oldPID = try #require(app.startedPIDs.first)

        let outcome = await supervisor.swap(to: app.command("serve", arguments: ["second"]))
        guard case .swapped(let second) = outcome else {
            Issue.record("the swap did not happen: \(outcome)")
            return await supervisor.shutdown()
        }
        #expect(second.generation == 2 && second.port != first.port && second.token != first.token)
        let next = try await supervisor.endpoint()
        #expect(next == second, "new requests go to the new run")
        supervisor.release(next)
        #expect(processExists(oldPID) && !app.marks.contains("SIGTERM pid=\(oldPID)"), "run 1 still has a request")
        #expect(supervisor.command.arguments.last == "second", "later starts run the new command")

        supervisor.release(first)
        #expect(await eventually { !processExists(oldPID) }, "stopped once its last request was done")
        #expect(app.marks.contains("SIGTERM pid=\(oldPID)"), "gracefully: \(app.marks)")
        await supervisor.shutdown()
    }

    @Test func aRunThatHoldsOnToARequestIsStoppedAtTheDrainLimit() async throws {
        let app = try FixtureApp()
        let (options, _) = Self.options { $0.swapDrainLimit = .milliseconds(300) }
        let supervisor = AppSupervisor(command: app.command("serve"), options: options)
        _ = try await supervisor.endpoint()  // never released
        let oldPID = try #require(app.startedPIDs.first)
        guard case .swapped = await supervisor.swap(to: app.command("serve")) else {
            Issue.record("the swap did not happen")
            return await supervisor.shutdown()
        }
        #expect(await eventually { !processExists(oldPID) })
        #expect(app.marks.contains("SIGTERM pid=\(oldPID)"))
        await supervisor.shutdown()
    }

    @Test func aNewBuildThatFailsToStartLeavesTheOldOneServing() async throws {
        let app = try FixtureApp()
        let (options, log) = Self.options()
        let supervisor = AppSupervisor(command: app.command("serve"), options: options)
        let serving = try await supervisor.endpoint()
        supervisor.release(serving)

        let outcome = await supervisor.swap(to: app.command("exit3"))
        guard case .failed(let failure, let outputTail) = outcome else {
            Issue.record("expected a failed start: \(outcome)")
            return await supervisor.shutdown()
        }
        #expect(failure == .ended(.exited(3)))
        #expect(outputTail.contains { $0.contains("boom <tag> & more") }, "\(outputTail)")
        #expect(try await supervisor.endpoint() == serving, "the old run still serves")
        #expect(processExists(app.startedPIDs[0]))
        #expect(!log.messages.contains { $0.contains("exited with code 3") }, "the swap's caller reports it, not the log: \(log.messages)")
        await supervisor.shutdown()
    }

    @Test func aLaterSwapSupersedesOneThatIsStillStarting() async throws {
        let app = try FixtureApp()
        let (options, _) = Self.options()
        let supervisor = AppSupervisor(command: app.command("serve"), options: options)
        let serving = try await supervisor.endpoint()
        supervisor.release(serving)

        let slow = Task { await supervisor.swap(to: app.command("never")) }
        #expect(await eventually { app.startedPIDs.count == 2 }, "the never-listening build started")
        let quick = await supervisor.swap(to: app.command("serve"))
        #expect(await slow.value == .superseded)
        guard case .swapped(let endpoint) = quick else {
            Issue.record("the later swap did not happen: \(quick)")
            return await supervisor.shutdown()
        }
        #expect(endpoint.generation == 3)
        #expect(await eventually { !processExists(app.startedPIDs[1]) }, "the superseded run was stopped")
        #expect(await eventually { !processExists(app.startedPIDs[0]) }, "and the one it replaced")
        await supervisor.shutdown()
    }

    /// hostctl watch's mode: nothing starts on a request, and an app that exits is reported
    /// and left alone until the next swap.
    @Test func withoutStartsOnRequestOnlySwapsStartTheAppAndAnExitIsReported() async throws {
        let app = try FixtureApp()
        let exits = Mutex<[AppFailure]>([])
        let (options, _) = Self.options {
            $0.startsOnRequest = false
            $0.showsOutputTail = true
            $0.onUnexpectedExit = { failure in exits.withLock { $0.append(failure) } }
        }
        let supervisor = AppSupervisor(command: app.command("serve"), options: options)
        let before = await failure { try await supervisor.endpoint() }
        #expect(before?.status == 503 && text(before).contains("not running yet"), "\(text(before))")
        #expect(app.marks.isEmpty, "a request started nothing")

        guard case .swapped = await supervisor.swap(to: app.command("serve")) else {
            Issue.record("the first start did not happen")
            return await supervisor.shutdown()
        }
        kill(app.startedPIDs[0], SIGKILL)
        #expect(await eventually { exits.withLock { $0 } == [.ended(.signaled(SIGKILL))] })
        let after = await failure { try await supervisor.endpoint() }
        #expect(after?.status == 502 && text(after).contains("was killed by signal 9 (SIGKILL)"), "\(text(after))")
        #expect(app.startedPIDs.count == 1, "not restarted by a request")

        guard case .swapped(let endpoint) = await supervisor.swap(to: app.command("serve")) else {
            Issue.record("the restart did not happen")
            return await supervisor.shutdown()
        }
        #expect(try await supervisor.endpoint() == endpoint)
        await supervisor.shutdown()
    }

    /// Five swaps through a real front while clients keep their connections busy: every
    /// request gets the app's 200, none an error, and each replaced run is stopped.
    @Test(arguments: FrontServer.allCases) func swapsUnderLoadFailNoRequest(_ server: FrontServer) async throws {
        let app = try FixtureApp()
        let (options, _) = Self.options()
        let supervisor = AppSupervisor(command: app.command("keepalive"), options: options)
        let front = try await TestFront(server, source: supervisor)
        let load = LoadLoop(port: front.port, target: "/load", clients: 4, requestsPerClient: 3000)

        #expect(await eventually { load.completed >= 40 }, "the load got going")
        for _ in 0..<5 {
            let before = load.completed
            guard case .swapped(let endpoint) = await supervisor.swap(to: app.command("keepalive")) else {
                Issue.record("a swap did not happen")
                break
            }
            #expect(await eventually { load.completed >= before + 40 }, "requests went on after swap \(endpoint.generation)")
        }
        let result = load.finish()
        #expect(result.failures.isEmpty, "\(result.failures.count) failed: \(result.failures.prefix(5))")
        #expect(result.completed > 100)
        #expect(result.bodies.allSatisfy { $0.hasPrefix("hello from pid ") }, "\(result.bodies)")
        #expect(result.bodies.count >= 2, "the new runs answered: \(result.bodies)")
        let replaced = app.startedPIDs.dropLast()
        #expect(await eventually { replaced.allSatisfy { !processExists($0) } }, "replaced runs stopped")
        await front.stop()
        await supervisor.shutdown()
    }
}
