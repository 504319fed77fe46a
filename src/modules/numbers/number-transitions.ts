import type { AssignmentEndReason } from './entities/number-assignment-history.entity';
import type { AssigneeType, NumberStatus } from './entities/purchased-phone-number.entity';
import { NumberReleasedError, NumberStateConflictError } from './numbers.errors';

/** Who may hold a number: its owning PM, or one of that PM's realtors. */
export type Assignee = { type: 'property_manager' } | { type: 'realtor'; realtorId: number };

/** The part of a number its life changes; the rules below work on it without a database. */
export interface NumberState {
  id: number;
  propertyManagerId: number;
  status: NumberStatus;
  assignedToType: AssigneeType | null;
  assignedRealtorId: number | null;
  assignedAt: Date | null;
  releasedAt: Date | null;
}

/** A finished assignment period, as the history keeps it. */
export interface EndedAssignment {
  purchasedPhoneNumberId: number;
  assignedToType: AssigneeType;
  propertyManagerId: number;
  realtorId: number | null;
  assignedAt: Date;
  unassignedAt: Date;
  endReason: AssignmentEndReason;
}

/**
 * The rules of a number's life: `available` ⇄ `assigned`, either → `inactive`, `inactive` →
 * `available` unless released. Each function checks the rule, changes the state in place and
 * returns the assignment period it ended, if any, for the history.
 */
export const NumberTransitions = {
  /**
   * A number written by the legacy import must already be in a state the rules allow: assigned
   * with a holder and a time, or available/inactive with none; a realtor holder needs a realtor id.
   */
  assertImportable(row: { id: number; status: NumberStatus; assigned_to_type: AssigneeType | null; assigned_realtor_id: number | null; assigned_at: string | null }): void {
    const assigned = row.status === 'assigned';
    const consistent = assigned
      ? row.assigned_to_type !== null && row.assigned_at !== null && (row.assigned_to_type === 'realtor') === (row.assigned_realtor_id !== null)
      : row.assigned_to_type === null && row.assigned_realtor_id === null && row.assigned_at === null;
    if (!consistent) throw new NumberStateConflictError(row.id, row.status, 'an imported number must name a holder exactly when it is assigned');
  },

  assign(number: NumberState, to: Assignee, now: Date): void {
    if (number.releasedAt) throw new NumberReleasedError(number.id);
    if (number.status !== 'available') {
      throw new NumberStateConflictError(number.id, number.status, 'only an available number can be assigned (unassign it first)');
    }
    number.status = 'assigned';
    number.assignedToType = to.type;
    number.assignedRealtorId = to.type === 'realtor' ? to.realtorId : null;
    number.assignedAt = now;
  },

  unassign(number: NumberState, now: Date): EndedAssignment {
    if (number.status !== 'assigned') {
      throw new NumberStateConflictError(number.id, number.status, 'only an assigned number can be unassigned');
    }
    return NumberTransitions.endAssignment(number, 'unassigned', now)!;
  },

  /** Ends the current assignment, if any (the number becomes available); no rule to break. */
  endAssignment(number: NumberState, reason: AssignmentEndReason, now: Date): EndedAssignment | undefined {
    if (number.status !== 'assigned' || !number.assignedToType || !number.assignedAt) return undefined;
    const ended: EndedAssignment = {
      purchasedPhoneNumberId: number.id,
      assignedToType: number.assignedToType,
      propertyManagerId: number.propertyManagerId,
      realtorId: number.assignedRealtorId,
      assignedAt: number.assignedAt,
      // Clocks of app and database differ slightly; a period never ends before it began.
      unassignedAt: now < number.assignedAt ? number.assignedAt : now,
      endReason: reason,
    };
    number.status = 'available';
    number.assignedToType = null;
    number.assignedRealtorId = null;
    number.assignedAt = null;
    return ended;
  },

  deactivate(number: NumberState, now: Date): EndedAssignment | undefined {
    if (number.status === 'inactive') throw new NumberStateConflictError(number.id, number.status, 'it is already inactive');
    const ended = NumberTransitions.endAssignment(number, 'deactivated', now);
    number.status = 'inactive';
    return ended;
  },

  /** Its holder is leaving: the assignment, if any, ends with `reason`; the number stays in service. */
  freeFromHolder(number: NumberState, reason: Extract<AssignmentEndReason, 'removed'>, now: Date): EndedAssignment | undefined {
    if (number.status !== 'assigned') return undefined;
    return NumberTransitions.endAssignment(number, reason, now);
  },

  /**
   * Its PM is leaving: out of service (`inactive`), the assignment ending. Unlike `deactivate`,
   * an inactive number is fine (the step is repeated when an offboarding is run again).
   * Returns whether the number changed and the assignment it ended.
   */
  retire(number: NumberState, now: Date): { changed: boolean; ended?: EndedAssignment } {
    if (number.status === 'inactive') return { changed: false };
    return { changed: true, ended: NumberTransitions.deactivate(number, now) };
  },

  reactivate(number: NumberState): void {
    if (number.releasedAt) throw new NumberReleasedError(number.id);
    if (number.status !== 'inactive') throw new NumberStateConflictError(number.id, number.status, 'only an inactive number can be reactivated');
    number.status = 'available';
  },

  /**
   * The number is gone at its provider (released outside this service, and never to be bought
   * back): recorded as released, inactive, its assignment ended. Already released: nothing changes.
   */
  markGone(number: NumberState, now: Date): { changed: boolean; ended?: EndedAssignment } {
    if (number.releasedAt) return { changed: false };
    const ended = NumberTransitions.recordRelease(number, now);
    return { changed: true, ended };
  },

  /** Checked before the providers are asked to take the number back. */
  assertReleasable(number: NumberState): void {
    if (number.releasedAt) throw new NumberReleasedError(number.id);
  },

  /** The providers have taken it back: it stays, inactive, for history. */
  recordRelease(number: NumberState, now: Date): EndedAssignment | undefined {
    NumberTransitions.assertReleasable(number);
    const ended = NumberTransitions.endAssignment(number, 'released', now);
    number.status = 'inactive';
    number.releasedAt = now;
    return ended;
  },
};
