"""Solid-body inertia of a body part about its own centre (for the URDF and SDF inertials;
MuJoCo computes its own from the geoms and their masses)."""

from __future__ import annotations

import math

from robot_brain.core.robot_model.description import BodyPart, ShapeKind


def part_inertia(part: BodyPart) -> tuple[float, float, float]:
    """(ixx, iyy, izz) in kg m^2 of the solid shape with the part's mass, axes of base_link."""
    m = part.mass
    if part.kind is ShapeKind.BOX:
        x, y, z = part.size
        return (m * (y * y + z * z) / 12.0, m * (x * x + z * z) / 12.0,
                m * (x * x + y * y) / 12.0)
    if part.kind is ShapeKind.SPHERE:
        i = 0.4 * m * part.size[0] ** 2
        return (i, i, i)
    r, length = part.size[0], part.size[1]
    if part.kind is ShapeKind.CYLINDER:
        side = m * (3.0 * r * r + length * length) / 12.0
        return (side, side, 0.5 * m * r * r)
    # Capsule: its cylinder and two hemispheres sharing the mass by volume.
    v_cyl = math.pi * r * r * length
    v_sph = 4.0 / 3.0 * math.pi * r ** 3
    m_cyl = m * v_cyl / (v_cyl + v_sph)
    m_sph = m - m_cyl
    side_cyl = m_cyl * (3.0 * r * r + length * length) / 12.0
    # Two hemispheres = one sphere's inertia, moved out to the cylinder's ends (centroid of a
    # hemisphere 3r/8 beyond the end).
    d = length / 2.0 + 3.0 * r / 8.0
    side_sph = 2.0 * (0.5 * m_sph) * (0.4 * r * r - (3.0 * r / 8.0) ** 2 + d * d)
    izz = 0.5 * m_cyl * r * r + 0.4 * m_sph * r * r
    return (side_cyl + side_sph, side_cyl + side_sph, izz)
