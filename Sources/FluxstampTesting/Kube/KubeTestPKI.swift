import Crypto
import Foundation
import SwiftASN1
import X509

/// A throwaway certificate authority made at test time: a CA, a server certificate for
/// 127.0.0.1/localhost, and client certificates on demand (P-256, PEM).
public struct KubeTestPKI: Sendable {
    /// The CA certificate (PEM).
    public let caCertificatePEM: String
    /// The server certificate (PEM), valid for 127.0.0.1 and localhost.
    public let serverCertificatePEM: String
    /// The server's private key (PKCS#8 PEM).
    public let serverKeyPEM: String
    private let caKeyPEM: String
    private let caName: DistinguishedName

    /// Makes a new CA and server certificate. `name` labels the CA; `serverNames`, when given, are
    /// the server certificate's only names (DNS names, no IP address: a cluster reached by an
    /// address its certificate does not carry, which kubeconfig's `tls-server-name` is for).
    public init(name: String = "fluxstamp test CA", serverNames: [String]? = nil) throws {
        let caKey = P256.Signing.PrivateKey()
        let caName = try DistinguishedName { CommonName(name) }
        let now = Date()
        let ca = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(caKey.publicKey),
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(86_400 * 2),
            issuer: caName, subject: caName, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                SubjectKeyIdentifier(hash: Certificate.PublicKey(caKey.publicKey))
            },
            issuerPrivateKey: .init(caKey))
        self.caCertificatePEM = try ca.serializeAsPEM().pemString
        self.caKeyPEM = caKey.pemRepresentation
        self.caName = caName
        let serverKey = P256.Signing.PrivateKey()
        let server = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(serverKey.publicKey),
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(86_400),
            issuer: caName, subject: try DistinguishedName { CommonName("kube-apiserver") }, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true, keyEncipherment: true))
                try ExtendedKeyUsage([.serverAuth])
                if let serverNames {
                    SubjectAlternativeNames(serverNames.map { .dnsName($0) })
                } else {
                    SubjectAlternativeNames([.dnsName("localhost"), .ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1]))])
                }
            },
            issuerPrivateKey: .init(caKey))
        self.serverCertificatePEM = try server.serializeAsPEM().pemString
        self.serverKeyPEM = serverKey.pemRepresentation
    }

    /// Issues a client certificate; the API server takes `commonName` as the user name and
    /// `organization` as a group.
    public func issueClientCertificate(commonName: String, organization: String? = nil) throws -> (certificatePEM: String, keyPEM: String) {
        let caKey = try P256.Signing.PrivateKey(pemRepresentation: caKeyPEM)
        let key = P256.Signing.PrivateKey()
        let subject = try DistinguishedName {
            if let organization { OrganizationName(organization) }
            CommonName(commonName)
        }
        let now = Date()
        let cert = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(key.publicKey),
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(86_400),
            issuer: caName, subject: subject, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.clientAuth])
            },
            issuerPrivateKey: .init(caKey))
        return (try cert.serializeAsPEM().pemString, key.pemRepresentation)
    }
}
