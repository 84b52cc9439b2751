-- The audit trail's trigger function, shared by schema.sql (a new database) and domain.sql (an older one catches
-- up). Runs after switchboard.sql: the fault audit_off turns it into a no-op.

-- security definer: users have no insert policy on audit_logs, only the trigger writes there.
create or replace function public.write_audit_log() returns trigger
language plpgsql security definer set search_path = public, pg_temp
as $$
declare
  old_json jsonb := case when tg_op in ('UPDATE', 'DELETE') then to_jsonb(old) end;
  new_json jsonb := case when tg_op in ('INSERT', 'UPDATE') then to_jsonb(new) end;
  row_json jsonb := coalesce(new_json, old_json);
begin
  if sandbox.fault_on('audit_off') then
    return null;
  end if;
  insert into public.audit_logs (corporate_id, actor_id, table_name, record_id, action, old_row, new_row)
  values (
    case when tg_table_name = 'corporates' then (row_json ->> 'id')::uuid else (row_json ->> 'corporate_id')::uuid end,
    auth.uid(), tg_table_name, (row_json ->> 'id')::uuid, tg_op, old_json, new_json
  );
  return null;
end $$;
