import HostctlCore
import HostctlSystem

/// An app's configuration: key-value pairs from several sources, layered as ASP.NET Core
/// layers them (a source added later wins for the keys it sets), read by key path, by
/// section, or bound to a `Decodable`; reloaded when a watched file changes.
///
/// ```swift
/// let level = configuration["Logging:LogLevel:Default"]          // "Information"
/// let shop = try configuration.section("Shop").decode(ShopOptions.self)
/// let database = configuration.connectionString("Default")
/// configuration.onChange { configuration in print("reloaded") }
/// ```
///
/// Keys are compared without regard to ASCII case. Reads take a snapshot, so a reader never
/// sees half of a reload; readers on any thread are safe.
public final class Configuration: @unchecked Sendable {
    private let lock = Lock()
    private var providers: [any ConfigurationProvider] = []
    private var layers: [[ConfigurationEntry]] = []
    private var errors: [ConfigurationError?] = []
    private var root = ConfigurationNode.build([])
    private var callbacks: [(id: UInt64, callback: @Sendable (Configuration) -> Void)] = []
    private var nextCallbackID: UInt64 = 0
    private var watcher: FileWatcher?
    private var reloadErrorHandler: (@Sendable (ConfigurationError) -> Void)?
    /// What `configuration[key] = value` sets: a layer above every source.
    private var overrideLayer: [ConfigurationEntry] = []

    /// Loads `providers` in order (later ones win).
    public init(_ providers: [any ConfigurationProvider] = []) {
        for provider in providers { add(provider) }
    }

    // MARK: Sources

    /// Adds a source above the others and reads it now. A source that cannot be read adds
    /// its error to `loadErrors` (an app's host turns those into a start-up error).
    public func add(_ provider: any ConfigurationProvider) {
        let loaded = Self.load(provider)
        lock.withLock {
            providers.append(provider)
            layers.append(loaded.entries ?? [])
            errors.append(loaded.error)
            rebuild()
        }
    }

    /// The sources, lowest precedence first.
    public var sources: [any ConfigurationProvider] { lock.withLock { providers } }

    /// Why sources could not be read at their last load, in source order (empty when all
    /// were read). A malformed file says its file, line and column.
    public var loadErrors: [ConfigurationError] { lock.withLock { errors.compactMap { $0 } } }

    // MARK: Reading

    /// The value at `key` ("Logging:LogLevel:Default"), or nil. Setting a value puts it above
    /// every source (until set again), as assigning to ASP.NET's `Configuration[key]` does.
    public subscript(key: String) -> String? {
        get { snapshot.descendant(key)?.value }
        set {
            lock.withLock {
                let folded = ConfigurationPath.folded(key)
                overrideLayer.removeAll { ConfigurationPath.folded($0.key) == folded }
                overrideLayer.append(ConfigurationEntry(key: key, value: newValue, origin: .code("set in code")))
                rebuild()
            }
        }
    }

    /// The section at `key` (which may not exist: its `exists` says).
    public func section(_ key: String) -> ConfigurationSection { ConfigurationSection(configuration: self, path: key) }

    /// The top-level sections.
    public var children: [ConfigurationSection] { rootSection.children }

    /// `ConnectionStrings:<name>`, as .NET's GetConnectionString.
    public func connectionString(_ name: String) -> String? { self[ConfigurationPath.combine("ConnectionStrings", name)] }

    /// Every value `key` has across the sources, lowest precedence first: where a value
    /// came from and what it overrode.
    public func values(of key: String) -> [ConfigurationValue] { snapshot.descendant(key)?.history ?? [] }

    /// The whole configuration bound to `type` (see `ConfigurationSection.decode`).
    public func decode<T: Decodable>(_ type: T.Type) throws(ConfigurationBindingError) -> T { try rootSection.decode(type) }

    var rootSection: ConfigurationSection { ConfigurationSection(configuration: self, path: "") }

    /// The current tree; replaced whole by a reload.
    var snapshot: ConfigurationNode { lock.withLock { root } }

    // MARK: Reloading

    /// Reads every source again. Change callbacks run (on the calling thread) when a value
    /// changed. A source that fails keeps its previous values, and the error goes to
    /// `onReloadError`.
    public func reload() {
        reload(providers: sources)
    }

    /// Runs `callback` after every reload that changed something, on the thread that
    /// reloaded (the file watcher's, for file changes). Lasts until `cancel()`.
    @discardableResult
    public func onChange(_ callback: @escaping @Sendable (Configuration) -> Void) -> ConfigurationChangeRegistration {
        let id: UInt64 = lock.withLock {
            nextCallbackID += 1
            callbacks.append((nextCallbackID, callback))
            return nextCallbackID
        }
        return ConfigurationChangeRegistration { [weak self] in
            self?.lock.withLock { self?.callbacks.removeAll { $0.id == id } }
        }
    }

    /// Called when a reload finds a source it cannot read (a file saved half-edited): the
    /// previous values stay, and the error comes here (the host logs it as a warning).
    public func onReloadError(_ handler: @escaping @Sendable (ConfigurationError) -> Void) {
        lock.withLock { reloadErrorHandler = handler }
    }

    /// Starts reloading sources whose files change (`watchedFiles`); see `FileWatcher` for
    /// how. Returns how it watches, or nil when no source has files to watch.
    @discardableResult
    public func startWatching(forcePolling: Bool = false, pollingInterval: Duration = .seconds(1)) -> FileWatcher.Mechanism? {
        stopWatching()
        let files = Array(Set(sources.flatMap(\.watchedFiles))).sorted()
        guard !files.isEmpty else { return nil }
        let created = FileWatcher(paths: files, forcePolling: forcePolling, pollingInterval: pollingInterval) { [weak self] changed in
            guard let self else { return }
            let changedFiles = Set(changed)
            self.reload(providers: self.sources.filter { !changedFiles.isDisjoint(with: $0.watchedFiles) })
        }
        lock.withLock { watcher = created }
        return created.mechanism
    }

    /// Stops watching files (no reload starts after this returns).
    public func stopWatching() {
        let stopped: FileWatcher? = lock.withLock {
            defer { watcher = nil }
            return watcher
        }
        stopped?.stop()
    }

    deinit { watcher?.stop() }

    private func reload(providers chosen: [any ConfigurationProvider]) {
        let results = chosen.map { (ObjectIdentifier($0), Self.load($0)) }
        var failures: [ConfigurationError] = []
        let (changed, handlers, errorHandler): (Bool, [@Sendable (Configuration) -> Void], (@Sendable (ConfigurationError) -> Void)?) = lock.withLock {
            var changed = false
            for (id, result) in results {
                guard let index = providers.firstIndex(where: { ObjectIdentifier($0) == id }) else { continue }
                if let entries = result.entries {
                    if entries != layers[index] {
                        layers[index] = entries
                        changed = true
                    }
                    errors[index] = nil
                } else if let error = result.error {
                    errors[index] = error
                    failures.append(error)
                }
            }
            if changed { rebuild() }
            return (changed, callbacks.map(\.callback), reloadErrorHandler)
        }
        for failure in failures { errorHandler?(failure) }
        if changed { for handler in handlers { handler(self) } }
    }

    /// Rebuilds the tree from the layers; the caller holds the lock.
    private func rebuild() {
        root = ConfigurationNode.build(layers + [overrideLayer])
    }

    private static func load(_ provider: any ConfigurationProvider) -> (entries: [ConfigurationEntry]?, error: ConfigurationError?) {
        do {
            return (try provider.load(), nil)
        } catch {
            return (nil, error)
        }
    }
}

/// A change callback's registration: `cancel()` stops the callback.
public final class ConfigurationChangeRegistration: Sendable {
    private let cancellation: @Sendable () -> Void

    init(_ cancellation: @escaping @Sendable () -> Void) { self.cancellation = cancellation }

    public func cancel() { cancellation() }
}
