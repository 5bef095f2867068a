import type { Queue } from "../api/types";

export function QueuePicker({ queues, value, onChange }: { queues: Queue[]; value: number[]; onChange: (ids: number[]) => void }) {
  return (
    <div className="chips">
      {queues.map((queue) => (
        <label key={queue.id} className="chip-check">
          <input
            type="checkbox"
            checked={value.includes(queue.id)}
            onChange={() => onChange(value.includes(queue.id) ? value.filter((id) => id !== queue.id) : [...value, queue.id])}
          />
          <span style={{ borderColor: queue.color }}>{queue.name}</span>
        </label>
      ))}
    </div>
  );
}
