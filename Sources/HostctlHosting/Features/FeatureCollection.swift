/// Typed access to what a server offers for a request or for itself, keyed by the
/// feature's protocol: `context.features[HTTPRequestTimingFeature.self]`.
///
/// The standard features of a request are answered from the context's own objects, so
/// a request allocates no feature objects; servers and middleware add others.
///
/// ```swift
/// protocol GreetingFeature: AnyObject { var greeting: String { get } }
/// context.features.set(GreetingFeature.self, MyGreeting())
/// let greeting = context.features[GreetingFeature.self]?.greeting
/// ```
public struct FeatureCollection {
    private var entries: [ObjectIdentifier: Any] = [:]
    private let defaults: ((ObjectIdentifier) -> Any?)?

    public init() { defaults = nil }

    init(defaults: @escaping (ObjectIdentifier) -> Any?) { self.defaults = defaults }

    public subscript<Feature>(_ type: Feature.Type) -> Feature? {
        let key = ObjectIdentifier(type)
        if let entry = entries[key] { return entry as? Feature }
        return defaults?(key) as? Feature
    }

    public mutating func set<Feature>(_ type: Feature.Type, _ value: Feature?) {
        entries[ObjectIdentifier(type)] = value
    }

    public var isEmpty: Bool { entries.isEmpty }

    var allEntries: [ObjectIdentifier: Any] { entries }

    func entry(_ key: ObjectIdentifier) -> Any? { entries[key] }

    mutating func setEntry(_ key: ObjectIdentifier, _ value: Any) { entries[key] = value }

    mutating func removeAll() {
        if !entries.isEmpty { entries.removeAll(keepingCapacity: true) }
    }
}
