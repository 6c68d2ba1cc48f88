import Testing
@testable import SharingKit

@Suite struct PersonalDataTypeTests {
    @Test func namesAreUniqueAndLowercase() {
        let names = PersonalDataType.allCases.map(\.rawValue)
        #expect(Set(names).count == names.count)
        #expect(names.allSatisfy { $0 == $0.lowercased() })
    }
}
